package dev.form.vmm.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.QueuedRequest;
import dev.form.core.api.RequestStatusView;
import dev.form.core.auth.RequestSigner;
import dev.form.queue.kafka.DeadLetterHeaders;
import dev.form.queue.kafka.KafkaQueueConfig;
import dev.form.queue.kafka.KafkaRequestQueue;
import dev.form.queue.kafka.KafkaResultWatcher;
import dev.form.testkit.Prerequisites;
import dev.form.testkit.kafka.EmbeddedKafkaBroker;
import dev.form.vmm.VmmServer;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.testing.ServiceHarness;
import dev.form.vmm.testing.SignedClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real service nodes (each with its own registry, simulator VMs and consumer group) behind one
 * real in-process KRaft broker: each applies only its own instances' requests, once, in order; the
 * queue is never trusted (tampered and expired messages are refused as unauthenticated); poison
 * messages are dead-lettered; a broker restart mid-stream loses nothing.
 */
@Tag("kafka")
class KafkaQueueServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;
    static EmbeddedKafkaBroker broker;
    static KafkaQueueConfig config;
    static Node a;
    static Node b;
    static KafkaResultWatcher results;

    /** One service node: its harness (simulator, admin key, data dir) and its server with the Kafka config. */
    static final class Node implements AutoCloseable {
        final ServiceHarness harness;
        final VmmServer server;
        final SignedClient admin;
        final String instanceId;

        Node(String name, Path root) throws Exception {
            harness = new ServiceHarness(root, Duration.ofSeconds(5));
            Path cfg = root.resolve("config.json");
            Files.createDirectories(root);
            Files.writeString(cfg, """
                    {"queue": {"kind": "kafka", "workers": 4, "kafka": {"bootstrap_servers": "%s", "request_topic": "%s",
                     "result_topic": "%s", "dead_letter_topic": "%s", "group_id": "node-%s", "partitions": 4}}}
                    """.formatted(config.bootstrapServers(), config.requestTopic(), config.resultTopic(), config.deadLetterTopic(), name));
            server = new VmmServer(harness.options().withConfigFile(cfg));
            server.start();
            admin = new SignedClient("http://127.0.0.1:" + server.port(), harness.admin);
            SignedClient.Reply created = admin.post("/v1/instances", harness.createRequest(name));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            instanceId = created.json().get("id").asText();
        }

        List<String> diskIds() {
            return server.registry().read(c -> {
                List<String> ids = new ArrayList<>();
                try (var st = c.prepareStatement("SELECT id FROM resources WHERE instance_id = ? AND state <> 'removed' ORDER BY seq")) {
                    st.setString(1, instanceId);
                    var rs = st.executeQuery();
                    while (rs.next()) ids.add(rs.getString(1));
                }
                return ids;
            });
        }

        @Override
        public void close() {
            List<Long> pids = new ArrayList<>();
            for (InstanceRecord i : server.registry().read(InstanceStore::all)) if (i.endpoint() != null) pids.add(i.endpoint().pid());
            server.close();
            for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(brokerClassesPresent(), "an in-process Kafka broker (kafka_2.13 on the test classpath)");
        broker = EmbeddedKafkaBroker.start(tmp.resolve("broker"));
        config = new KafkaQueueConfig(broker.bootstrapServers(), "svc.requests", "svc.results", "svc.dead");
        a = new Node("alpha", tmp.resolve("a"));
        b = new Node("beta", tmp.resolve("b"));
        results = new KafkaResultWatcher(config, true);
        assertThat(results.awaitReady(WAIT)).isTrue();
    }

    @AfterAll
    static void stop() {
        if (results != null) results.close();
        if (a != null) a.close();
        if (b != null) b.close();
        if (broker != null) broker.stop();
    }

    private static boolean brokerClassesPresent() {
        try {
            Class.forName("kafka.server.KafkaRaftServer");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static QueuedRequest addDisk(Node owner, String diskId) {
        byte[] body = SignedClient.bytes(Map.of("diskId", diskId, "path", diskId + ".raw", "sizeBytes", 1 << 20));
        return RequestSigner.signQueued(owner.harness.admin, owner.instanceId, "POST",
                "/v1/instances/" + owner.instanceId + "/disks", body, Duration.ofMinutes(30));
    }

    static RequestStatusView outcome(String id) throws Exception {
        return results.outcome(id).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void eachNodeAppliesOnlyItsOwnInstancesOnceAndInOrder() throws Exception {
        List<QueuedRequest> sent = new ArrayList<>();
        List<String> alphaDisks = new ArrayList<>();
        List<String> betaDisks = new ArrayList<>();
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            for (int i = 0; i < 6; i++) {
                QueuedRequest qa = addDisk(a, "ord-a" + i);
                QueuedRequest qb = addDisk(b, "ord-b" + i);
                queue.submit(qa);
                queue.submit(qb);
                sent.add(qa);
                sent.add(qb);
                alphaDisks.add("ord-a" + i);
                betaDisks.add("ord-b" + i);
            }
        }
        for (QueuedRequest q : sent) {
            RequestStatusView v = outcome(q.nonce());
            assertThat(v.state()).as(v.toString()).isEqualTo("done");
            assertThat(v.status()).isEqualTo(201);
        }
        assertThat(a.diskIds().stream().filter(d -> d.startsWith("ord-")).toList()).containsExactlyElementsOf(alphaDisks);
        assertThat(b.diskIds().stream().filter(d -> d.startsWith("ord-")).toList()).containsExactlyElementsOf(betaDisks);
        // The owning node answers GET /v1/requests/{id}; the other has never heard of it.
        QueuedRequest first = sent.getFirst();
        SignedClient.Reply onOwner = a.admin.get("/v1/requests/" + first.nonce());
        assertThat(onOwner.status()).as(onOwner.toString()).isEqualTo(200);
        assertThat(onOwner.json().get("state").asText()).isEqualTo("done");
        SignedClient.Reply onOther = new SignedClient("http://127.0.0.1:" + b.server.port(), a.harness.admin).get("/v1/requests/" + first.nonce());
        assertThat(onOther.status()).isEqualTo(404);
        for (QueuedRequest q : sent) assertThat(results.resultCount(q.nonce())).as("one result for %s", q.nonce()).isEqualTo(1);
    }

    @Test
    void tamperedAndExpiredMessagesAreRefusedAsUnauthenticatedWithoutEffect() throws Exception {
        QueuedRequest genuine = addDisk(a, "tamper1");
        String evilBody = Base64.getEncoder().encodeToString(SignedClient.bytes(Map.of("diskId", "evil", "path", "evil.raw", "sizeBytes", 1 << 20)));
        QueuedRequest tampered = new QueuedRequest(genuine.instance(), genuine.method(), genuine.target(), evilBody, genuine.nonce(),
                genuine.expires(), genuine.signature(), genuine.address());
        byte[] body = SignedClient.bytes(Map.of("diskId", "late1", "path", "late1.raw", "sizeBytes", 1 << 20));
        String target = "/v1/instances/" + a.instanceId + "/disks";
        var h = RequestSigner.sign(a.harness.admin, "POST", target, body, RequestSigner.newNonce(), System.currentTimeMillis() / 1000 - 10);
        QueuedRequest expired = new QueuedRequest(a.instanceId, "POST", target, Base64.getEncoder().encodeToString(body), h.nonce(),
                h.expires(), h.signature(), h.address());
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            queue.submit(tampered);
            queue.submit(expired);
        }
        RequestStatusView t = outcome(tampered.nonce());
        assertThat(t.state()).isEqualTo("failed");
        assertThat(t.status()).isEqualTo(401);
        assertThat(t.outcome().get("code").asText()).isEqualTo("unauthenticated");
        RequestStatusView e = outcome(expired.nonce());
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.outcome().get("message").asText()).contains("expired");
        assertThat(a.diskIds()).doesNotContain("evil", "late1", "tamper1");

        // The forged message did not take the genuine request's id: the genuine one still runs.
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            queue.submit(genuine);
        }
        await().atMost(WAIT).until(() -> a.diskIds().contains("tamper1"));
        await().atMost(WAIT).until(() -> results.latest(genuine.nonce()).map(v -> "done".equals(v.state())).orElse(false));
    }

    @Test
    void poisonMessagesLandInTheDeadLettersAndDoNotBlock() throws Exception {
        QueuedRequest after = addDisk(b, "afterpoison");
        // Signed for alpha's instance but routed (by its unsigned instance field and key) to beta's.
        QueuedRequest nameMismatch = RequestSigner.signQueued(b.harness.admin, b.instanceId, "POST", "/v1/instances/" + a.instanceId + "/disks",
                SignedClient.bytes(Map.of("diskId", "x", "path", "x.raw", "sizeBytes", 1 << 20)), Duration.ofMinutes(30));
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
             KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            raw.send(new ProducerRecord<>(config.requestTopic(), b.instanceId.getBytes(StandardCharsets.UTF_8),
                    "\u0000\u0001 not json".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            queue.submit(nameMismatch);
            queue.submit(after);
        }
        assertThat(outcome(after.nonce()).state()).isEqualTo("done");
        List<String> reasons = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", broker.bootstrapServers(), "enable.auto.commit", false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(config.deadLetterTopic(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline && reasons.size() < 3) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    reasons.add(new String(r.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8)
                            + " @" + new String(r.headers().lastHeader(DeadLetterHeaders.NODE_GROUP).value(), StandardCharsets.UTF_8));
                }
            }
        }
        // Every node dead-letters what it cannot read; only the node owning the routed instance finds the mismatch.
        assertThat(reasons).anyMatch(r -> r.contains("not a QueuedRequest JSON object"));
        assertThat(reasons).anyMatch(r -> r.contains("no instance '" + a.instanceId + "' on this host") && r.endsWith("@node-beta"));
        assertThat(a.diskIds()).doesNotContain("x");
        assertThat(b.diskIds()).contains("afterpoison").doesNotContain("x");
    }

    @Test
    void aBrokerRestartMidStreamLosesNothing() throws Exception {
        List<QueuedRequest> sent = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config, Duration.ofSeconds(90))) {
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                QueuedRequest q = addDisk(a, "restart" + i);
                sent.add(q);
                expected.add("restart" + i);
                pending.add(queue.submitAsync(q));
                if (i == 7) {
                    pending.getLast().get(30, TimeUnit.SECONDS);
                    broker.restart();
                }
            }
            for (Future<?> f : pending) f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        CompletableFuture.allOf(sent.stream().map(q -> results.outcome(q.nonce())).toArray(CompletableFuture[]::new))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        for (QueuedRequest q : sent) assertThat(results.latest(q.nonce()).orElseThrow().status()).isEqualTo(201);
        assertThat(a.diskIds().stream().filter(d -> d.startsWith("restart")).toList()).containsExactlyElementsOf(expected);
    }
}
