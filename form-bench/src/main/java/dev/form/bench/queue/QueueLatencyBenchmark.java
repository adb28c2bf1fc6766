package dev.form.bench.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.bench.jit.CompileActivity;
import dev.form.bench.service.SimulatorProcess;
import dev.form.core.api.AdoptInstanceRequest;
import dev.form.core.api.CreateInstanceRequest;
import dev.form.core.api.Json;
import dev.form.core.api.QueuedRequest;
import dev.form.core.auth.RequestSigner;
import dev.form.core.auth.SignedHeaders;
import dev.form.core.keys.Credentials;
import dev.form.hypervisor.HypervisorKind;
import dev.form.queue.kafka.KafkaQueueConfig;
import dev.form.queue.kafka.KafkaRequestQueue;
import dev.form.queue.kafka.KafkaResultWatcher;
import dev.form.testkit.chsim.CloudHypervisorSimulatorMain;
import dev.form.testkit.kafka.EmbeddedKafkaBroker;
import dev.form.vmm.VmmServer;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Submit-to-outcome latency and sustained throughput of the three ways a request reaches the service,
 * measured in one run against the Cloud Hypervisor simulator: the direct HTTP call (the baseline), the
 * embedded queue ({@code POST /v1/queue}, unsigned since the request it carries is signed, then
 * {@code GET /v1/requests/{id}?waitMs=} until it finished)
 * and Kafka (produce to the request topic, outcome read from the result topic; an in-process KRaft
 * broker). The work is hot-add then remove of a disk, alternating, on several instances (or grant then
 * revoke, registry only); every request is signed before the clock starts and is verified by the service.
 *
 * <p>Latency: one request at a time (closed loop). Throughput: every request of the run submitted as
 * fast as the submitters go (the queues keep order per instance), timed from the first submission to
 * the last outcome; for the direct path, one client per instance, each waiting for its answers.
 *
 * <p>Run: {@code java -cp <form-bench classpath> dev.form.bench.queue.QueueLatencyBenchmark [options]};
 * {@link QueueBenchSettings} lists the options: instance count, sample counts, which work and paths,
 * whether each add creates an image, the remove's wait, one simulator process or one per VM, the
 * simulated guest's eject delay, the service's queue workers, and {@code --jfr FILE}. Targets on the
 * 2-core machine: embedded p50 at most 20 ms, Kafka p50 at most 50 ms, at least 500 requests/s through either.
 */
public final class QueueLatencyBenchmark {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(8)).build();
    /** The size of each instance's own image when images are reused (ServiceBenchmark's too). */
    private static final int IMAGE_BYTES = 1 << 16;

    private final Credentials admin = Credentials.generate(RANDOM);
    private final QueueBenchSettings settings;
    private final List<String> instances = new ArrayList<>();
    /** Per instance: the image it attaches when images are reused (relative to the volumes directory). */
    private final List<String> images = new ArrayList<>();
    private String base;
    private long diskCounter;
    /** disk: hot-add and remove a disk (the hypervisor is called); grant: grant and revoke a level (registry only). */
    private String work = "disk";
    private CpuMeter cpu;
    /** The one simulator process serving every VM; null with one simulator JVM per VM. */
    private SimulatorProcess simulator;

    private QueueLatencyBenchmark(QueueBenchSettings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        QueueBenchSettings settings;
        try {
            settings = QueueBenchSettings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("QueueLatencyBenchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path dir = settings.dir() != null ? Files.createDirectories(settings.dir()) : Files.createTempDirectory("form-queue-bench");
        try {
            new QueueLatencyBenchmark(settings).run(dir);
        } catch (Exception | Error e) {
            // the pools' threads would keep the JVM alive after a failed phase
            System.out.flush();
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private void run(Path dir) throws Exception {
        System.out.println("form queue benchmark: " + settings.describe());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
            KafkaQueueConfig kafka = new KafkaQueueConfig(broker.bootstrapServers(), "bench.requests", "bench.results", "bench.dead");
            Path config = dir.resolve("service.json");
            Files.writeString(config, """
                    {"queue": {"kind": "kafka", %s"kafka": {"bootstrap_servers": "%s", "request_topic": "%s",
                     "result_topic": "%s", "dead_letter_topic": "%s", "group_id": "bench-node", "partitions": 8}}}
                    """.formatted(settings.workers() == 0 ? "" : "\"workers\": " + settings.workers() + ", ",
                    kafka.bootstrapServers(), kafka.requestTopic(), kafka.resultTopic(), kafka.deadLetterTopic()));
            Path dataDir = dir.resolve("data");
            SimulatorProcess.Group vms = new SimulatorProcess.Group(dataDir.resolve("sockets"), "vm", settings.instances());
            Path chBin;
            if (settings.sharedVms()) {
                Files.createDirectories(vms.dir());
                simulator = SimulatorProcess.start(dir, settings.ejectDelay(), List.of(vms));
                chBin = CloudHypervisorSimulatorMain.writeLauncher(dir.resolve("bin"));
            } else {
                chBin = CloudHypervisorSimulatorMain.writeLauncher(dir.resolve("bin"),
                        List.of("--sim-eject-delay-ms", Long.toString(settings.ejectDelay().toMillis())));
            }
            VmmServer server = new VmmServer(VmmServer.Options.defaults(dataDir).withListen("127.0.0.1", 0)
                    .withAdmins(List.of(admin.address())).withHypervisor(HypervisorKind.CLOUD_HYPERVISOR, chBin, null)
                    .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)).withConfigFile(config));
            server.start();
            base = "http://127.0.0.1:" + server.port();
            cpu = new CpuMeter(() -> simulator != null ? List.of(simulator.pid())
                    : server.registry().read(InstanceStore::all).stream().filter(i -> i.endpoint() != null).map(i -> i.endpoint().pid()).toList());
            try (KafkaRequestQueue producer = new KafkaRequestQueue(kafka);
                 KafkaResultWatcher results = new KafkaResultWatcher(kafka, false)) {
                if (settings.sharedVms()) adoptInstances(dataDir, vms);
                else createInstances(dataDir, settings.instances());
                if (!results.awaitReady(Duration.ofSeconds(60))) throw new IllegalStateException("result watcher not ready");

                for (String w : settings.work()) {
                    work = w;
                    System.out.println();
                    System.out.println("=== work: " + (w.equals("disk") ? "hot-add then remove a disk (through the simulated hypervisor)"
                            : "grant then revoke a level (registry only: the queue's own cost shows)"));
                    measure(server, producer, results);
                }
            } finally {
                List<Long> pids = new ArrayList<>();
                if (!settings.sharedVms()) {
                    for (InstanceRecord i : server.registry().read(InstanceStore::all)) if (i.endpoint() != null) pids.add(i.endpoint().pid());
                }
                server.close();
                for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                if (simulator != null) simulator.close();
            }
        }
    }

    private void measure(VmmServer server, KafkaRequestQueue producer, KafkaResultWatcher results) throws Exception {
        List<String> paths = settings.paths();
        // Warm-up of every path (JIT, connections, consumer group), not measured: one request at a time,
        // then concurrently until the JIT has settled, so that neither measured phase pays for compiling.
        for (String path : paths) latency(path, producer, results, 60);
        warmUpThroughput(server, producer, results);

        System.out.println("submit-to-outcome latency, one request at a time (ms):");
        Map<String, Stats> latency = new java.util.LinkedHashMap<>();
        for (String path : paths) {
            latency.put(path, latency(path, producer, results, settings.latency()));
            print(path, latency.get(path));
        }

        System.out.println("sustained throughput, " + settings.throughput() + " requests per path:");
        Map<String, Double> rate = new java.util.LinkedHashMap<>();
        for (String path : paths) {
            // one recording per path, so that each file holds that path's work only
            Recording jfr = settings.jfr() == null ? null : new Recording(Configuration.getConfiguration("profile"));
            if (jfr != null) jfr.start();
            try {
                Throughput t = throughput(path, server, producer, results, false);
                rate.put(path, t.perSecond());
                System.out.printf(Locale.ROOT, "  (%s: %s)%n", path, t.cpu());
            } finally {
                if (jfr != null) {
                    jfr.stop();
                    Path file = settings.jfr().resolveSibling(settings.jfr().getFileName() + "." + work + "." + path + ".jfr");
                    jfr.dump(file);
                    jfr.close();
                    System.out.println("  (JFR recording of the " + path + " throughput phase, signing included: " + file + ")");
                }
            }
        }
        for (var e : rate.entrySet()) System.out.printf(Locale.ROOT, "  %-9s %8.0f req/s%n", e.getKey(), e.getValue());
        StringBuilder targets = new StringBuilder("targets (" + work + "):");
        if (latency.containsKey("embedded")) {
            targets.append(String.format(Locale.ROOT, " embedded p50 %.1f ms (<= 20) %s, %.0f req/s (>= 500) %s;", latency.get("embedded").p50,
                    latency.get("embedded").p50 <= 20 ? "MET" : "MISSED", rate.get("embedded"), rate.get("embedded") >= 500 ? "MET" : "MISSED"));
        }
        if (latency.containsKey("kafka")) {
            targets.append(String.format(Locale.ROOT, " kafka p50 %.1f ms (<= 50) %s, %.0f req/s (>= 500) %s;", latency.get("kafka").p50,
                    latency.get("kafka").p50 <= 50 ? "MET" : "MISSED", rate.get("kafka"), rate.get("kafka") >= 500 ? "MET" : "MISSED"));
        }
        if (rate.containsKey("direct")) {
            targets.append(String.format(Locale.ROOT, " (direct baseline, same run: %.0f req/s)", rate.get("direct")));
        }
        System.out.println(targets);
    }

    /**
     * Unmeasured throughput rounds of every path until the JIT compilers have settled: one request at a
     * time leaves the concurrent paths (and the queue's own code) to be compiled during the measured
     * phases, and whichever path ran first would pay for it.
     */
    private void warmUpThroughput(VmmServer server, KafkaRequestQueue producer, KafkaResultWatcher results) throws Exception {
        for (int round = 1; round <= settings.warmupRounds(); round++) {
            CompileActivity jit = CompileActivity.start(simulator == null ? null : simulator::compileMillis);
            for (String path : settings.paths()) throughput(path, server, producer, results, true);
            CompileActivity.Shares shares = jit.stop();
            System.out.printf(Locale.ROOT, "throughput warm-up round %d, every path: %s%s%n", round, shares, shares.settled() ? ": settled" : "");
            if (shares.settled()) return;
        }
        if (settings.warmupRounds() > 0) System.out.println("  (the JIT did NOT settle within --warmup-rounds: the figures below include compiling)");
    }

    private Throughput throughput(String path, VmmServer server, KafkaRequestQueue producer, KafkaResultWatcher results, boolean quiet) throws Exception {
        return switch (path) {
            case "direct" -> throughputDirect(settings.throughput());
            case "embedded" -> throughputEmbedded(server, settings.throughput(), quiet);
            default -> throughputKafka(producer, results, settings.throughput(), quiet);
        };
    }

    private Stats latency(String path, KafkaRequestQueue producer, KafkaResultWatcher results, int n) throws Exception {
        return switch (path) {
            case "direct" -> latencyDirect(n);
            case "embedded" -> latencyEmbedded(n);
            default -> latencyKafka(producer, results, n);
        };
    }

    // ---- the work: add a fresh disk then remove it (or grant then revoke), per instance ----------------

    /** One request of the workload, fully signed in advance. */
    private record Op(String instance, String method, String target, byte[] body) {
    }

    private List<Op> ops(int n) {
        List<Op> out = new ArrayList<>(n);
        String[] pending = new String[instances.size()];
        for (int i = 0; out.size() < n; i++) {
            int lane = i % instances.size();
            String id = instances.get(lane);
            if (work.equals("grant")) {
                String address = Credentials.generate(RANDOM).address();
                String target = "/v1/instances/" + id + "/grants/" + address;
                if (pending[lane] == null) {
                    out.add(new Op(id, "PUT", target, json(Map.of("level", "readonly"))));
                    pending[lane] = target;
                } else {
                    out.add(new Op(id, "DELETE", pending[lane], new byte[0]));
                    pending[lane] = null;
                }
                continue;
            }
            if (pending[lane] == null) {
                String disk = "b" + (diskCounter++);
                byte[] body = settings.createImages() ? json(Map.of("diskId", disk, "path", disk + ".raw", "sizeBytes", 1 << 20))
                        : json(Map.of("diskId", disk, "path", images.get(lane)));
                out.add(new Op(id, "POST", "/v1/instances/" + id + "/disks", body));
                pending[lane] = disk;
            } else {
                out.add(removal(id, pending[lane]));
                pending[lane] = null;
            }
        }
        // Leave nothing attached: close any open pair.
        for (int lane = 0; lane < pending.length; lane++) {
            if (pending[lane] != null && work.equals("grant")) {
                out.add(new Op(instances.get(lane), "DELETE", pending[lane], new byte[0]));
            } else if (pending[lane] != null) {
                out.add(removal(instances.get(lane), pending[lane]));
            }
        }
        return out;
    }

    private Op removal(String instance, String disk) {
        String target = "/v1/instances/" + instance + "/resources/" + disk + (settings.removeWait() ? "" : "?wait=false");
        return new Op(instance, "DELETE", target, new byte[0]);
    }

    private record Signed(Op op, SignedHeaders headers) {
    }

    /** A queued request and the body of its POST /v1/queue, which carries no signature of its own. */
    private record SignedQueued(QueuedRequest request, byte[] postBody, String waitTarget, SignedHeaders waitHeaders) {
    }

    private List<Signed> signDirect(List<Op> ops) {
        return ops.stream().map(o -> new Signed(o, RequestSigner.sign(admin, o.method(), o.target(), o.body(), Duration.ofMinutes(5)))).toList();
    }

    private List<SignedQueued> signEmbedded(List<Op> ops, boolean withWait) {
        List<SignedQueued> out = new ArrayList<>();
        for (Op o : ops) {
            QueuedRequest q = RequestSigner.signQueued(admin, o.instance(), o.method(), o.target(), o.body(), Duration.ofMinutes(30));
            byte[] post = json(q);
            String wait = "/v1/requests/" + q.nonce() + "?waitMs=30000";
            out.add(new SignedQueued(q, post, wait, withWait ? RequestSigner.sign(admin, "GET", wait, null, Duration.ofMinutes(5)) : null));
        }
        return out;
    }

    private List<QueuedRequest> signKafka(List<Op> ops) {
        return ops.stream().map(o -> RequestSigner.signQueued(admin, o.instance(), o.method(), o.target(), o.body(), Duration.ofMinutes(30))).toList();
    }

    // ---- latency ----------------------------------------------------------------------------------------

    private Stats latencyDirect(int n) throws Exception {
        List<Signed> signed = signDirect(ops(n));
        long[] t = new long[signed.size()];
        for (int i = 0; i < signed.size(); i++) {
            Signed s = signed.get(i);
        long start = System.nanoTime();
            HttpResponse<byte[]> r = send(s.op().method(), s.op().target(), s.op().body(), s.headers());
            t[i] = System.nanoTime() - start;
            expectSuccess(r, s.op());
        }
        return Stats.of(t);
    }

    private Stats latencyEmbedded(int n) throws Exception {
        List<SignedQueued> signed = signEmbedded(ops(n), true);
        long[] t = new long[signed.size()];
        for (int i = 0; i < signed.size(); i++) {
            SignedQueued s = signed.get(i);
        long start = System.nanoTime();
            HttpResponse<byte[]> accepted = send("POST", "/v1/queue", s.postBody(), null);
            if (accepted.statusCode() != 202) throw new IllegalStateException("POST /v1/queue -> " + accepted.statusCode() + " " + new String(accepted.body()));
            HttpResponse<byte[]> done = send("GET", s.waitTarget(), new byte[0], s.waitHeaders());
            t[i] = System.nanoTime() - start;
            JsonNode v = Json.mapper().readTree(done.body());
            if (!"done".equals(v.path("state").asText())) throw new IllegalStateException("queued request did not succeed: " + v);
        }
        return Stats.of(t);
    }

    private Stats latencyKafka(KafkaRequestQueue producer, KafkaResultWatcher results, int n) throws Exception {
        List<QueuedRequest> signed = signKafka(ops(n));
        long[] t = new long[signed.size()];
        for (int i = 0; i < signed.size(); i++) {
            QueuedRequest q = signed.get(i);
            CompletableFuture<?> outcome = results.outcome(q.nonce());
        long start = System.nanoTime();
            producer.submitAsync(q);
            var v = results.outcome(q.nonce()).get(60, TimeUnit.SECONDS);
            t[i] = results.finishedAtNanos(q.nonce()).orElseThrow() - start;
            if (!"done".equals(v.state())) throw new IllegalStateException("Kafka request did not succeed: " + v);
            outcome.join();
        }
        return Stats.of(t);
    }

    // ---- throughput ------------------------------------------------------------------------------------

    /** Requests completed and the rate they came at. */
    private record Throughput(int requests, double perSecond, String cpu) {
    }

    private Throughput throughputDirect(int n) throws Exception {
        List<Signed> signed = signDirect(ops(n));
        ExecutorService pool = Executors.newFixedThreadPool(instances.size());
        long[] cpu0 = cpu.read();
        long start = System.nanoTime();
        List<Future<?>> lanes = new ArrayList<>();
        for (String instance : instances) {
            List<Signed> mine = signed.stream().filter(s -> s.op().instance().equals(instance)).toList();
            lanes.add(pool.submit(() -> {
                for (Signed s : mine) expectSuccess(send(s.op().method(), s.op().target(), s.op().body(), s.headers()), s.op());
                return null;
            }));
        }
        for (Future<?> f : lanes) f.get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] cpu1 = cpu.read();
        pool.shutdown();
        return new Throughput(signed.size(), signed.size() / seconds, CpuMeter.perRequest(cpu0, cpu1, signed.size(), seconds));
    }

    private Throughput throughputEmbedded(VmmServer server, int n, boolean quiet) throws Exception {
        List<SignedQueued> signed = signEmbedded(ops(n), false);
        // Each instance's requests run in order, so its last one finishing means its lane is done: wait for
        // those (long polls, signed now) instead of polling the table, which would cost the service CPU.
        List<Signed> lastOfLane = new ArrayList<>();
        for (String instance : instances) {
            signed.stream().filter(s -> s.request().instance().equals(instance)).reduce((a, b) -> b).ifPresent(last -> {
                String wait = "/v1/requests/" + last.request().nonce() + "?waitMs=60000";
                lastOfLane.add(new Signed(new Op(instance, "GET", wait, new byte[0]), RequestSigner.sign(admin, "GET", wait, null, Duration.ofMinutes(5))));
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long[] cpu0 = cpu.read();
        long start = System.nanoTime();
        List<Future<?>> posts = new ArrayList<>();
        // One submitter per instance keeps each instance's requests in the queue in their order.
        for (String instance : instances) {
            List<SignedQueued> mine = signed.stream().filter(s -> s.request().instance().equals(instance)).toList();
            posts.add(pool.submit(() -> {
                for (SignedQueued s : mine) {
                    HttpResponse<byte[]> r = send("POST", "/v1/queue", s.postBody(), null);
                    if (r.statusCode() != 202) throw new IllegalStateException("POST /v1/queue -> " + r.statusCode() + " " + new String(r.body()));
                }
                return null;
            }));
        }
        for (Future<?> f : posts) f.get(10, TimeUnit.MINUTES);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        for (Signed wait : lastOfLane) {
            SignedHeaders headers = wait.headers();
            while (true) {
                HttpResponse<byte[]> r = send("GET", wait.op().target(), new byte[0], headers);
                expectSuccess(r, wait.op());
                String state = Json.mapper().readTree(r.body()).path("state").asText();
                if (state.equals("done") || state.equals("failed")) break;
                if (System.nanoTime() > deadline) throw new IllegalStateException("embedded queue did not drain");
                // a new nonce: the service answers a repeated request with the outcome recorded the first time
                headers = RequestSigner.sign(admin, "GET", wait.op().target(), null, Duration.ofMinutes(5));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] cpu1 = cpu.read();
        pool.shutdown();
        int failed = server.registry().read(c -> {
            try (var st = c.prepareStatement("SELECT COUNT(*) FROM queued_requests WHERE state = 'failed' AND seq > (SELECT MAX(seq) FROM queued_requests) - " + signed.size())) {
                var rs = st.executeQuery();
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
        if (failed > 0) System.out.println("  (embedded: " + failed + " request(s) failed; see the service log)");
        long[] underLoad = server.registry().read(c -> {
            List<Long> ms = new ArrayList<>();
            try (var st = c.prepareStatement("SELECT finished_at - accepted_at FROM queued_requests ORDER BY seq DESC LIMIT ?")) {
                st.setInt(1, signed.size());
                var rs = st.executeQuery();
                while (rs.next()) ms.add(rs.getLong(1) * 1_000_000L);
            }
            return ms.stream().mapToLong(Long::longValue).toArray();
        });
        Stats s = Stats.of(underLoad);
        if (!quiet) System.out.printf(Locale.ROOT, "  (embedded under load: accepted-to-recorded p50 %.1f ms, p99 %.1f ms)%n", s.p50, s.p99);
        return new Throughput(signed.size(), signed.size() / seconds, CpuMeter.perRequest(cpu0, cpu1, signed.size(), seconds));
    }

    private Throughput throughputKafka(KafkaRequestQueue producer, KafkaResultWatcher results, int n, boolean quiet) throws Exception {
        List<QueuedRequest> signed = signKafka(ops(n));
        List<CompletableFuture<?>> outcomes = new ArrayList<>();
        long[] sentAt = new long[signed.size()];
        long[] cpu0 = cpu.read();
        long start = System.nanoTime();
        for (int i = 0; i < signed.size(); i++) {
            QueuedRequest q = signed.get(i);
            outcomes.add(results.outcome(q.nonce()));
            sentAt[i] = System.nanoTime();
            producer.submitAsync(q);
        }
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        long end = signed.stream().mapToLong(q -> results.finishedAtNanos(q.nonce()).orElseThrow()).max().orElseThrow();
        double seconds = (end - start) / 1e9;
        long[] cpu1 = cpu.read();
        long[] lat = new long[signed.size()];
        long failed = 0;
        for (int i = 0; i < signed.size(); i++) {
            lat[i] = results.finishedAtNanos(signed.get(i).nonce()).orElseThrow() - sentAt[i];
            if (!"done".equals(results.latest(signed.get(i).nonce()).orElseThrow().state())) failed++;
        }
        if (failed > 0) System.out.println("  (kafka: " + failed + " request(s) failed)");
        Stats s = Stats.of(lat);
        if (!quiet) System.out.printf(Locale.ROOT, "  (kafka under load: submit-to-outcome p50 %.1f ms, p99 %.1f ms)%n", s.p50, s.p99);
        return new Throughput(signed.size(), signed.size() / seconds, CpuMeter.perRequest(cpu0, cpu1, signed.size(), seconds));
    }

    // ---- plumbing --------------------------------------------------------------------------------------

    /** The VMs of the shared simulator process, adopted through the API; each gets its own image. */
    private void adoptInstances(Path dataDir, SimulatorProcess.Group vms) throws Exception {
        Path volumes = Files.createDirectories(dataDir.resolve("volumes"));
        for (int i = 0; i < vms.count(); i++) {
            byte[] body = json(new AdoptInstanceRequest("bench-" + i, vms.socket(i).toString()));
            HttpResponse<byte[]> r = send("POST", "/v1/instances/adopt", body,
                    RequestSigner.sign(admin, "POST", "/v1/instances/adopt", body, Duration.ofMinutes(1)));
            if (r.statusCode() != 201) throw new IllegalStateException("adopt failed: " + r.statusCode() + " " + new String(r.body()));
            instances.add(Json.mapper().readTree(r.body()).get("id").asText());
            Files.write(volumes.resolve("bench-" + i + ".raw"), new byte[IMAGE_BYTES]);
            images.add("bench-" + i + ".raw");
        }
    }

    private void createInstances(Path dataDir, int count) throws Exception {
        Path kernel = dataDir.resolve("volumes/vmlinuz");
        Files.createDirectories(kernel.getParent());
        Files.write(kernel, new byte[4096]);
        for (int i = 0; i < count; i++) {
            byte[] body = json(new CreateInstanceRequest("bench-" + i, kernel.toString(), null, "console=ttyS0", null, 1, 2,
                    128L << 20, 256L << 20, null, null));
            HttpResponse<byte[]> r = send("POST", "/v1/instances", body, RequestSigner.sign(admin, "POST", "/v1/instances", body, Duration.ofMinutes(1)));
            if (r.statusCode() != 201) throw new IllegalStateException("create failed: " + r.statusCode() + " " + new String(r.body()));
            instances.add(Json.mapper().readTree(r.body()).get("id").asText());
            Files.write(dataDir.resolve("volumes").resolve("bench-" + i + ".raw"), new byte[IMAGE_BYTES]);
            images.add("bench-" + i + ".raw");
        }
    }

    /** {@code headers} null: unsigned (POST /v1/queue). */
    private HttpResponse<byte[]> send(String method, String target, byte[] body, SignedHeaders headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + target)).timeout(Duration.ofSeconds(60))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body.length > 0) b.header("Content-Type", "application/json");
        if (headers != null) headers.asMap().forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void expectSuccess(HttpResponse<byte[]> r, Op op) {
        if (r.statusCode() >= 300) throw new IllegalStateException(op.method() + " " + op.target() + " -> " + r.statusCode() + " " + new String(r.body()));
    }

    private static byte[] json(Object o) {
        try {
            return Json.mapper().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Stats(double p50, double p99, double max, int n) {
        static Stats of(long[] nanos) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            return new Stats(s[(int) Math.floor(0.50 * (s.length - 1))] / 1e6, s[(int) Math.floor(0.99 * (s.length - 1))] / 1e6, s[s.length - 1] / 1e6, s.length);
        }
    }

    private static void print(String name, Stats s) {
        System.out.printf(Locale.ROOT, "  %-9s p50 %7.2f   p99 %7.2f   max %7.2f   (n=%d)%n", name, s.p50, s.p99, s.max, s.n);
    }

}
