package dev.form.bench.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What one run of {@link QueueLatencyBenchmark} does. Every knob that changes the work (not only how it
 * is timed) is here, so that a figure can always be traced to the conditions it was taken under.
 *
 * @param instances    instances the requests are spread over (each path keeps order per instance)
 * @param latency      requests timed one at a time, per path and work
 * @param throughput   requests per path and work for the sustained figure
 * @param work         "disk" (hot-add then remove a disk through the simulated hypervisor) and/or "grant"
 *                     (grant then revoke a level: the registry only)
 * @param paths        which of direct, embedded, kafka to measure (direct is the baseline: keep it)
 * @param createImages true: every add creates a fresh 1 MiB sparse image ({@code sizeBytes}); false: every
 *                     instance attaches its own existing image again and again (what ServiceBenchmark does)
 * @param removeWait   the remove's {@code wait}: true (the service's default) answers once the guest let go;
 *                     false answers at once and leaves the rest to the service's background reconciler
 * @param sharedVms    true: one simulator process serves every VM and the service adopts them (as
 *                     ServiceBenchmark does; real cloud-hypervisor processes are native and light); false:
 *                     the service creates the instances and launches one simulator JVM per VM
 * @param ejectDelay   how long the simulated guest takes to let go of a removed device
 * @param warmupRounds at most this many unmeasured throughput rounds of every path before the measured ones,
 *                     fewer when the JIT compilers settle first ({@link dev.form.bench.jit.CompileActivity}); 0: none
 * @param workers      the service's queue workers ({@code queue.workers}: instances applied in parallel);
 *                     0 leaves the service's default
 * @param dir          work directory (null: a fresh temporary one)
 * @param jfr          when not null, a JFR recording ("profile" settings) of the throughput phases goes there
 */
record QueueBenchSettings(int instances, int latency, int throughput, List<String> work, List<String> paths,
                          boolean createImages, boolean removeWait, boolean sharedVms, Duration ejectDelay, int warmupRounds, int workers,
                          Path dir, Path jfr) {

    private static final Set<String> WORK = Set.of("disk", "grant");
    private static final Set<String> PATHS = Set.of("direct", "embedded", "kafka");

    QueueBenchSettings {
        require(instances >= 1, "--instances must be at least 1");
        require(latency >= 2, "--latency must be at least 2");
        require(throughput >= 2, "--throughput must be at least 2");
        require(!work.isEmpty() && WORK.containsAll(work), "--work is a comma-separated list of disk, grant");
        require(!paths.isEmpty() && PATHS.containsAll(paths), "--paths is a comma-separated list of direct, embedded, kafka");
        require(!ejectDelay.isNegative(), "--eject-delay-ms must not be negative");
        require(warmupRounds >= 0, "--warmup-rounds must not be negative");
        require(workers >= 0 && workers <= 256, "--workers must be 1 to 256 (the service's queue.workers), or 0 for the service's default");
        require(createImages || removeWait, "--images reuse needs --remove-wait true: an instance's next add attaches the same image,"
                + " which the service refuses while the guest has not let go of it yet");
        work = List.copyOf(work);
        paths = List.copyOf(paths);
    }

    static QueueBenchSettings defaults() {
        return new QueueBenchSettings(4, 300, 2000, List.of("disk", "grant"), List.of("direct", "embedded", "kafka"),
                false, true, true, Duration.ofMillis(1), 10, 0, null, null);
    }

    /** Parses {@code --name value} options over the defaults; an unknown option or value is refused by name. */
    static QueueBenchSettings parse(String[] args) {
        QueueBenchSettings d = defaults();
        int instances = d.instances, latency = d.latency, throughput = d.throughput, warmupRounds = d.warmupRounds, workers = d.workers;
        List<String> work = d.work, paths = d.paths;
        boolean create = d.createImages, wait = d.removeWait, shared = d.sharedVms;
        Duration eject = d.ejectDelay;
        Path dir = null, jfr = null;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(name + " needs a value");
            String v = args[++i];
            try {
                switch (name) {
                    case "--instances" -> instances = Integer.parseInt(v);
                    case "--latency" -> latency = Integer.parseInt(v);
                    case "--throughput" -> throughput = Integer.parseInt(v);
                    case "--work" -> work = List.of(v.split(","));
                    case "--paths" -> paths = List.of(v.split(","));
                    case "--images" -> create = choice(name, v, "create", "reuse");
                    case "--remove-wait" -> wait = choice(name, v, "true", "false");
                    case "--vms" -> shared = choice(name, v, "shared", "per-vm");
                    case "--eject-delay-ms" -> eject = Duration.ofMillis(Long.parseLong(v));
                    case "--warmup-rounds" -> warmupRounds = Integer.parseInt(v);
                    case "--workers" -> workers = Integer.parseInt(v);
                    case "--dir" -> dir = Path.of(v);
                    case "--jfr" -> jfr = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + name + " (known: --instances, --latency, --throughput,"
                            + " --work, --paths, --images, --remove-wait, --vms, --eject-delay-ms, --warmup-rounds, --workers, --dir, --jfr)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number, not '" + v + "'");
            }
        }
        return new QueueBenchSettings(instances, latency, throughput, work, paths, create, wait, shared, eject, warmupRounds, workers, dir, jfr);
    }

    /** One line saying what runs, printed above the figures. */
    String describe() {
        return String.format(java.util.Locale.ROOT, "%d instances (%s), %d latency samples and %d throughput requests per path; images: %s;"
                        + " remove wait=%s; simulated guest ejects after %d ms; up to %d warm-up rounds; queue workers %s; %d cores",
                instances, sharedVms ? "one simulator process, adopted" : "one simulator JVM per VM, launched by the service",
                latency, throughput, createImages ? "a new 1 MiB sparse image per add" : "each instance's own image, attached again",
                removeWait, ejectDelay.toMillis(), warmupRounds, workers == 0 ? "as the service's default" : Integer.toString(workers),
                Runtime.getRuntime().availableProcessors());
    }

    private static boolean choice(String name, String v, String yes, String no) {
        if (v.equals(yes)) return true;
        if (v.equals(no)) return false;
        throw new IllegalArgumentException(name + " is " + yes + " or " + no + ", not '" + v + "'");
    }

    private static void require(boolean ok, String rule) {
        if (!ok) throw new IllegalArgumentException(rule);
    }
}
