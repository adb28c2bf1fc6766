package dev.form.bench.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one run of {@link ServiceBenchmark} does.
 *
 * @param clients        concurrent clients, each with its own kept-alive connection (default 32)
 * @param instances      instances the pairs are spread over; each belongs to one client (default 100)
 * @param pairs          measured add+remove pairs in total, split evenly over the clients (default 6400)
 * @param warmupPairs    unmeasured pairs per client in each warm-up round (default 40)
 * @param warmupRounds   at most this many warm-up rounds, fewer when the JIT of both processes settles first
 *                       ({@link WarmUp}; default 15); 0 skips the warm-up
 * @param rssInstances   instances registered for the memory figure; 0 skips it (default 1000)
 * @param pacedRate     add+remove pairs per second offered in the paced phase, spread evenly over the clients
 *                       (default 250: half the throughput target); 0 skips that phase
 * @param pacedPairs     measured pairs of the paced phase (default 2000)
 * @param ejectDelay     how long the simulated guest takes to let go of a removed device (default 0)
 * @param workDir        where the data directories go; null: a fresh temporary directory, deleted afterwards
 * @param jfr            when not null, a JFR recording of the measured service phase is written there
 * @param serviceJvmOptions JVM options of the service process of the memory figure (default none: those
 *                       bin/form gives {@code form vmm serve}, as the systemd unit runs it); with
 *                       {@code -XX:NativeMemoryTracking=summary} the breakdown includes the JVM's own account
 */
public record BenchSettings(int clients, int instances, int pairs, int warmupPairs, int warmupRounds, int rssInstances,
                            int pacedRate, int pacedPairs, Duration ejectDelay, Path workDir, Path jfr, List<String> serviceJvmOptions) {

    public BenchSettings {
        require(clients >= 1, "--clients must be at least 1");
        require(instances >= clients, "--instances must be at least --clients: every instance belongs to one client, so that"
                + " its image is never attached twice at once");
        require(pairs >= clients, "--pairs must be at least --clients (each client does pairs/clients)");
        require(warmupPairs >= 0, "--warmup must not be negative");
        require(warmupRounds >= 0, "--warmup-rounds must not be negative");
        require(rssInstances >= 0, "--rss-instances must not be negative");
        require(pacedRate >= 0, "--paced-rate must not be negative");
        require(pacedRate == 0 || pacedPairs >= clients, "--paced-pairs must be at least --clients (each client does pairs/clients)");
        require(!ejectDelay.isNegative(), "--eject-delay-ms must not be negative");
        serviceJvmOptions = List.copyOf(serviceJvmOptions);
    }

    private static void require(boolean ok, String rule) {
        if (!ok) throw new IllegalArgumentException(rule);
    }

    public static BenchSettings defaults() {
        return new BenchSettings(32, 100, 6400, 40, 15, 1000, 250, 2000, Duration.ZERO, null, null, List.of());
    }

    /** Parses {@code --name value} options over the defaults; an unknown option is refused by name. */
    public static BenchSettings parse(String[] args) {
        BenchSettings d = defaults();
        int clients = d.clients, instances = d.instances, pairs = d.pairs, warmup = d.warmupPairs, warmupRounds = d.warmupRounds, rss = d.rssInstances;
        int pacedRate = d.pacedRate, pacedPairs = d.pacedPairs;
        Duration eject = d.ejectDelay;
        Path work = null, jfr = null;
        List<String> jvm = List.of();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(name + " needs a value");
            String v = args[++i];
            try {
                switch (name) {
                    case "--clients" -> clients = Integer.parseInt(v);
                    case "--instances" -> instances = Integer.parseInt(v);
                    case "--pairs" -> pairs = Integer.parseInt(v);
                    case "--warmup" -> warmup = Integer.parseInt(v);
                    case "--warmup-rounds" -> warmupRounds = Integer.parseInt(v);
                    case "--rss-instances" -> rss = Integer.parseInt(v);
                    case "--paced-rate" -> pacedRate = Integer.parseInt(v);
                    case "--paced-pairs" -> pacedPairs = Integer.parseInt(v);
                    case "--eject-delay-ms" -> eject = Duration.ofMillis(Long.parseLong(v));
                    case "--work-dir" -> work = Path.of(v);
                    case "--jfr" -> jfr = Path.of(v);
                    case "--service-jvm-opts" -> jvm = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                    default -> throw new IllegalArgumentException("unknown option " + name
                            + " (known: --clients --instances --pairs --warmup --warmup-rounds --rss-instances --paced-rate --paced-pairs --eject-delay-ms --work-dir --jfr --service-jvm-opts)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
            }
        }
        return new BenchSettings(clients, instances, pairs, warmup, warmupRounds, rss, pacedRate, pacedPairs, eject, work, jfr, jvm);
    }

    /** Measured pairs of client {@code c}: the total split evenly, the first clients taking the remainder. */
    int pairsOf(int c) {
        return share(pairs, c);
    }

    /** Measured pairs of client {@code c} in the paced phase. */
    int pacedPairsOf(int c) {
        return share(pacedPairs, c);
    }

    private int share(int total, int c) {
        return total / clients + (c < total % clients ? 1 : 0);
    }

    /** How often one client starts a pair in the paced phase, so that all of them together offer {@link #pacedRate}. */
    long pacedPeriodNanos() {
        return pacedRate == 0 ? 0 : Math.round(clients * 1e9 / pacedRate);
    }
}
