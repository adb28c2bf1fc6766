package dev.form.bench.service;

import dev.form.core.api.AdoptInstanceRequest;
import dev.form.core.api.Json;
import dev.form.core.keys.Credentials;
import dev.form.hypervisor.HypervisorKind;
import dev.form.testkit.chsim.CloudHypervisorSimulatorMain;
import dev.form.vmm.VmmServer;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * End-to-end performance of the VMM service: signed add-disk + remove pairs from many concurrent
 * clients across many instances, against the Cloud Hypervisor simulator, next to the same hypervisor
 * calls made directly through the driver in the same run; and the service's resident memory with
 * many registered instances.
 *
 * <h2>Usage (on demand; not part of the test suite)</h2>
 * <pre>
 * export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 PATH=$JAVA_HOME/bin:$PATH
 * mvn -q -B -o -Dform.buildDir=target-bench -pl form-bench -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/bench.cp
 * java -cp form-bench/target-bench/classes:$(cat /tmp/bench.cp) dev.form.bench.service.ServiceBenchmark \
 *      [--clients 32] [--instances 100] [--pairs 6400] [--warmup 40] [--warmup-rounds 15] [--rss-instances 1000] \
 *      [--paced-rate 250] [--paced-pairs 2000] \
 *      [--eject-delay-ms 0] [--work-dir DIR] [--jfr FILE] [--service-jvm-opts "-XX:NativeMemoryTracking=summary ..."]
 * </pre>
 * The class path file lists the reactor's other modules by their {@code target-bench/classes}, so nothing
 * needs installing. Defaults are the targets' conditions; a whole run takes a few minutes. It prints a
 * table: figure, value, the baseline measured in the same run, the target, met or not; the exit status is
 * 1 when any request failed. {@code --jfr FILE} records the measured service rounds with JFR's "profile"
 * settings, to see where the time goes. {@code ServiceBenchmarkSmokeTest} runs it with tiny parameters.
 *
 * <h2>What runs</h2>
 * <ol>
 * <li>A simulator process ({@link SimulatorProcess}) boots M VMs for the service, in its data
 *     directory's sockets/, and M more for the direct-driver baseline. The real service ({@link VmmServer},
 *     in this JVM, real SQLite registry in a temporary data directory, Cloud Hypervisor driver) adopts
 *     the first M through its API, owned by a freshly generated test key (the admin).</li>
 * <li>All requests are signed, each with its own nonce, and encoded to bytes before any clock starts.
 *     Client c of N owns the instances i with i mod N = c (so an image is never attached twice at once)
 *     and goes round them: pair k adds disk {@code b<c>x<k>} (a per-instance raw image in volumes/) and
 *     removes it with the default wait for the guest.</li>
 * <li>Warm-up, unmeasured, in rounds of the driver baseline then the service, until the JIT compilers of
 *     this JVM and the simulator process have settled ({@link WarmUp}). Measured: the driver baseline
 *     ({@link DriverPairClient}: the same vm.info + vm.add-disk, vm.remove-device + vm.info polling the
 *     service makes, N threads over the other M VMs of the same simulator process), then the service
 *     (N threads, one kept-alive HTTP/1.1 connection each, {@link ServicePairClient}).</li>
 * <li>Throughput = measured pairs / wall time of the phase. Overhead = service percentile minus driver
 *     percentile, over all requests (see {@link BenchReport}).</li>
 * <li>Paced: the same N clients again, driver then service, but offered a fixed rate (250 pairs/s by
 *     default, half the throughput target) instead of running flat out. A closed loop at saturation
 *     measures queueing, not the service: with N requests always in flight, the mean latency is N divided
 *     by the throughput, whatever the service's own cost. The overhead target is judged on this phase;
 *     the saturated figures are printed beside it.</li>
 * <li>Memory: a fresh service in its own JVM (the options bin/form gives it) and a simulator process with R booted
 *     VMs; RSS (VmRSS after a jcmd GC.run) with no instance is the baseline, then R VMs are adopted and
 *     RSS is read again.</li>
 * </ol>
 */
public final class ServiceBenchmark {
    /** The service accepts expiries at most 300 s ahead; every phase is signed just before it runs. */
    private static final Duration SIGNATURE_TTL = Duration.ofSeconds(290);
    private static final int IMAGE_BYTES = 1 << 16;
    /**
     * Measured pairs run in rounds of at most this many per client, each signed just before it starts:
     * a slow service must not outlive the signatures' 300 s. Throughput is pairs over the summed
     * wall times of the rounds.
     */
    static final int ROUND_PAIRS_PER_CLIENT = 100;

    private ServiceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        BenchSettings settings;
        try {
            settings = BenchSettings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ServiceBenchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        BenchReport report = run(settings, System.out);
        System.out.println();
        System.out.print(report.table());
        System.exit(report.serviceFailures() == 0 && report.driverFailures() == 0 ? 0 : 1);
    }

    /** One whole run; progress lines go to {@code progress}. */
    public static BenchReport run(BenchSettings s, PrintStream progress) throws Exception {
        Path root = s.workDir() != null ? Files.createDirectories(s.workDir()) : Files.createTempDirectory("form-bench-svc");
        try {
            LoadFigures load = loadPhases(s, root.resolve("load"), progress);
            BenchReport.RssFigure rss = s.rssInstances() == 0 ? null : rssPhase(s, root.resolve("rss"), progress);
            return new BenchReport(s, load.warmUp(), load.driver(), load.service(), load.pacedDriver(), load.pacedService(), load.fsync(), rss);
        } finally {
            if (s.workDir() == null) deleteTree(root);
        }
    }

    /** {@code pacedDriver} and {@code pacedService} are null when the paced phase is skipped. */
    private record LoadFigures(WarmUp warmUp, LoadRun driver, LoadRun service, LoadRun pacedDriver, LoadRun pacedService, Latencies fsync) {
    }

    private static LoadFigures loadPhases(BenchSettings s, Path root, PrintStream progress) throws Exception {
        int n = s.clients(), m = s.instances();
        Path dataDir = root.resolve("data");
        Path volumes = Files.createDirectories(dataDir.resolve("volumes"));
        Path direct = Files.createDirectories(root.resolve("direct"));
        SimulatorProcess.Group serviceVms = new SimulatorProcess.Group(Files.createDirectories(dataDir.resolve("sockets")), "svc", m);
        SimulatorProcess.Group driverVms = new SimulatorProcess.Group(direct, "drv", m);
        for (int i = 0; i < m; i++) {
            Files.write(volumes.resolve("bench-" + i + ".raw"), new byte[IMAGE_BYTES]);
            Files.write(direct.resolve("img-" + i + ".raw"), new byte[IMAGE_BYTES]);
        }
        progress.printf("booting %d + %d simulated VMs in a simulator process%n", m, m);
        Credentials key = Credentials.generate(new SecureRandom());
        List<ServicePairClient> serviceClients = new ArrayList<>();
        List<DriverPairClient> driverClients = new ArrayList<>();
        try (SimulatorProcess simulator = SimulatorProcess.start(root, s.ejectDelay(), List.of(serviceVms, driverVms));
             VmmServer server = new VmmServer(VmmServer.Options.defaults(dataDir).withListen("127.0.0.1", 0)
                     .withAdmins(List.of(key.address()))
                     .withHypervisor(HypervisorKind.CLOUD_HYPERVISOR, CloudHypervisorSimulatorMain.writeLauncher(root.resolve("bin")), null))) {
            server.start();
            int port = server.port();
            progress.printf("service on 127.0.0.1:%d adopting %d instances%n", port, m);
            adopt(key, port, serviceVms, "bench-");

            for (int c = 0; c < n; c++) {
                List<Integer> owned = owned(c, n, m);
                serviceClients.add(new ServicePairClient(c, "127.0.0.1", port, key, owned));
                driverClients.add(new DriverPairClient(c, owned.stream().map(driverVms::socket).toList(),
                        owned.stream().map(i -> direct.resolve("img-" + i + ".raw")).toList()));
            }
            WarmUp warmUp = WarmUp.run(s, driverClients, serviceClients, (f, c) -> sign(serviceClients, f, c, progress), simulator, progress);
            int[] from = new int[n], count = new int[n];
            for (int c = 0; c < n; c++) {
                from[c] = warmUp.pairsPerClient();
                count[c] = s.pairsOf(c);
            }
            progress.printf("measuring: %d pairs, %d clients, %d instances — direct driver%n", s.pairs(), n, m);
            List<LoadRun> driverRounds = new ArrayList<>(), serviceRounds = new ArrayList<>();
            Recording jfr = s.jfr() == null ? null : new Recording(Configuration.getConfiguration("profile"));
            try {
                for (int[][] round : rounds(from, count)) driverRounds.add(LoadRun.run(driverClients, round[0], round[1]));
                for (int[][] round : rounds(from, count)) {
                    // signed per round: the service accepts an expiry at most 300 s ahead; the clock is not running
                    sign(serviceClients, round[0], round[1], progress);
                    progress.printf("measuring: the service, %d pairs%n", IntStream.of(round[1]).sum());
                    if (jfr != null && serviceRounds.isEmpty()) jfr.start();
                    serviceRounds.add(LoadRun.run(serviceClients, round[0], round[1]));
                }
                if (jfr != null) {
                    jfr.stop();
                    jfr.dump(s.jfr());
                    progress.printf("JFR recording of the measured service rounds: %s%n", s.jfr());
                }
            } finally {
                if (jfr != null) jfr.close();
            }
            LoadRun pacedDriver = null, pacedService = null;
            if (s.pacedRate() > 0) {
                int[] pacedFrom = new int[n], pacedCount = new int[n];
                for (int c = 0; c < n; c++) {
                    pacedFrom[c] = from[c] + count[c];
                    pacedCount[c] = s.pacedPairsOf(c);
                }
                progress.printf("measuring at an offered %d pairs/s: %d pairs, %d clients — direct driver, then the service%n",
                        s.pacedRate(), s.pacedPairs(), n);
                List<LoadRun> driverPaced = new ArrayList<>(), servicePaced = new ArrayList<>();
                for (int[][] round : rounds(pacedFrom, pacedCount)) {
                    driverPaced.add(LoadRun.run(driverClients, round[0], round[1], s.pacedPeriodNanos()));
                }
                for (int[][] round : rounds(pacedFrom, pacedCount)) {
                    sign(serviceClients, round[0], round[1], progress);
                    servicePaced.add(LoadRun.run(serviceClients, round[0], round[1], s.pacedPeriodNanos()));
                }
                pacedDriver = LoadRun.merge(driverPaced);
                pacedService = LoadRun.merge(servicePaced);
            }
            Latencies fsync = FsyncProbe.measure(dataDir, 200);
            LoadRun driver = LoadRun.merge(driverRounds);
            LoadRun service = LoadRun.merge(serviceRounds);
            return new LoadFigures(warmUp, driver, service, pacedDriver, pacedService, fsync);
        } finally {
            serviceClients.forEach(ServicePairClient::close);
            driverClients.forEach(DriverPairClient::close);
        }
    }

    /** Splits each client's pairs into rounds of at most {@link #ROUND_PAIRS_PER_CLIENT}: {from[], count[]} per round. */
    static List<int[][]> rounds(int[] from, int[] count) {
        List<int[][]> out = new ArrayList<>();
        int most = IntStream.of(count).max().orElse(0);
        for (int done = 0; done < most; done += ROUND_PAIRS_PER_CLIENT) {
            int[] f = new int[from.length], c = new int[from.length];
            for (int i = 0; i < from.length; i++) {
                f[i] = from[i] + done;
                c[i] = Math.max(0, Math.min(ROUND_PAIRS_PER_CLIENT, count[i] - done));
            }
            out.add(new int[][]{f, c});
        }
        return out;
    }

    static void sign(List<ServicePairClient> clients, int[] from, int[] count, PrintStream progress) {
        long t0 = System.nanoTime();
        IntStream.range(0, clients.size()).parallel().forEach(c -> clients.get(c).sign(from[c], count[c], SIGNATURE_TTL));
        progress.printf("signed %d requests in %.1f s, before the clock starts%n", 2 * IntStream.of(count).sum(), (System.nanoTime() - t0) / 1e9);
    }

    /** The instances client {@code c} of {@code n} owns: those with index mod n = c. */
    static List<Integer> owned(int c, int n, int m) {
        List<Integer> out = new ArrayList<>();
        for (int i = c; i < m; i += n) out.add(i);
        return out;
    }

    private static BenchReport.RssFigure rssPhase(BenchSettings s, Path root, PrintStream progress) throws Exception {
        int r = s.rssInstances();
        Path dataDir = root.resolve("data");
        SimulatorProcess.Group vms = new SimulatorProcess.Group(Files.createDirectories(dataDir.resolve("sockets")), "vm", r);
        Credentials key = Credentials.generate(new SecureRandom());
        Path chBin = CloudHypervisorSimulatorMain.writeLauncher(root.resolve("bin"));
        progress.printf("memory: booting %d simulated VMs, starting the service in its own JVM%n", r);
        List<String> jvm = s.serviceJvmOptions().isEmpty() ? launcherServeOptions() : s.serviceJvmOptions();
        progress.printf("memory: service JVM options %s%n", jvm.isEmpty() ? "(the JVM's defaults)" : jvm);
        try (SimulatorProcess ignored = SimulatorProcess.start(root, s.ejectDelay(), List.of(vms));
             ServiceProcess service = ServiceProcess.start(dataDir, key.address(), chBin, root.resolve("service.log"), jvm)) {
            long empty = service.residentBytesAfterGc();
            progress.printf("memory: RSS with no instance %.1f MB; adopting %d instances%n", empty / 1048576.0, r);
            adopt(key, service.port(), vms, "vm-");
            long full = service.residentBytesAfterGc();
            progress.printf("memory: RSS with %d instances %.1f MB (%s)%n", r, full / 1048576.0, service.memoryBreakdown());
            return new BenchReport.RssFigure(r, empty, full);
        }
    }

    /**
     * The options bin/form gives {@code form vmm serve} (and so the systemd unit): its argument file, found
     * from the working directory upwards; none when run outside the repository.
     */
    static List<String> launcherServeOptions() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("bin/lib/vmm-serve.jvm-options");
            if (Files.isRegularFile(file)) return List.of("@" + file);
        }
        return List.of();
    }

    /** Adopts every VM of the group, named {@code prefix + i}; anything but 201 stops the run. */
    private static void adopt(Credentials key, int port, SimulatorProcess.Group vms, String prefix) throws IOException {
        try (RawHttpConnection http = new RawHttpConnection("127.0.0.1", port)) {
            for (int i = 0; i < vms.count(); i++) {
                byte[] body = json(new AdoptInstanceRequest(prefix + i, vms.socket(i).toString()));
                PreparedRequest req = PreparedRequest.sign(key, "127.0.0.1:" + port, "POST", "/v1/instances/adopt", body, SIGNATURE_TTL);
                RawHttpConnection.Reply reply = http.exchange(req);
                if (reply.status() != 201) throw new IOException("adopting " + vms.socket(i) + " -> " + reply.status() + " " + reply.text());
            }
        }
    }

    private static byte[] json(Object o) {
        try {
            return Json.mapper().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
