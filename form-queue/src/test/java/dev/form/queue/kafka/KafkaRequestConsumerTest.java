package dev.form.queue.kafka;

import dev.form.core.api.QueuedRequest;
import dev.form.core.api.RequestStatusView;
import dev.form.queue.MalformedRequestException;
import dev.form.testkit.Prerequisites;
import dev.form.testkit.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The per-node consumer against a real in-process KRaft broker: ownership, order, idempotent
 * redelivery, dead letters, retries, broker and node restarts. The service's own handler (signature
 * verification, the pipeline) is exercised by form-vmm's Kafka tests; here the handler is a small
 * idempotent recorder so that the consumer's guarantees are checked on their own.
 */
@Tag("kafka")
class KafkaRequestConsumerTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private KafkaQueueConfig config;

    @BeforeAll
    static void startBroker() {
        Prerequisites.require(classPresent("kafka.server.KafkaRaftServer"), "the Kafka broker classes (kafka_2.13) on the test classpath");
        broker = EmbeddedKafkaBroker.start(dir.resolve("broker"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) broker.stop();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables.reversed()) c.close();
    }

    private void topicsFor(TestInfo info) {
        String t = info.getTestMethod().orElseThrow().getName();
        config = new KafkaQueueConfig(broker.bootstrapServers(), t + ".req", t + ".res", t + ".dead");
        KafkaTopics.ensure(config, 4, Duration.ofSeconds(30));
    }

    @Test
    void twoNodesEachApplyOnlyTheirOwnInstancesOnceAndInOrder(TestInfo info) throws Exception {
        topicsFor(info);
        RecordingHandler a = new RecordingHandler("a");
        RecordingHandler b = new RecordingHandler("b");
        KafkaRequestConsumer nodeA = node("node-a-" + info.getDisplayName().hashCode(), i -> i.startsWith("a-"), a);
        KafkaRequestConsumer nodeB = node("node-b-" + info.getDisplayName().hashCode(), i -> i.startsWith("b-"), b);
        KafkaResultWatcher results = watcher();

        List<String> instances = List.of("a-1", "a-2", "a-3", "b-1", "b-2", "b-3");
        Map<String, List<String>> sentBodies = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            for (int n = 0; n < 40; n++) {
                for (String instance : instances) {
                    String body = "{\"seq\":" + n + "}";
                    QueuedRequest r = request(instance, body);
                    assertThat(queue.submit(r)).isEqualTo(r.nonce());
                    ids.add(r.nonce());
                    sentBodies.computeIfAbsent(instance, k -> new ArrayList<>()).add(body);
                }
            }
        }
        awaitAll(results, ids);

        assertThat(a.effectsByInstance.keySet()).containsExactlyInAnyOrder("a-1", "a-2", "a-3");
        assertThat(b.effectsByInstance.keySet()).containsExactlyInAnyOrder("b-1", "b-2", "b-3");
        for (String instance : instances) {
            RecordingHandler owner = instance.startsWith("a-") ? a : b;
            assertThat(owner.effectsByInstance.get(instance)).as("effects on %s, in order, once each", instance)
                    .containsExactlyElementsOf(sentBodies.get(instance));
        }
        // Counters move just after the outcome is published: give them a moment.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(nodeA.stats().applied()).isEqualTo(120);
            assertThat(nodeA.stats().ignored()).isEqualTo(120);
            assertThat(nodeB.stats().applied()).isEqualTo(120);
            assertThat(nodeB.stats().ignored()).isEqualTo(120);
        });
        for (String id : ids) {
            RequestStatusView v = results.latest(id).orElseThrow();
            assertThat(v.state()).isEqualTo("done");
            assertThat(v.outcome().get("node").asText()).isEqualTo(v.instance().substring(0, 1));
            assertThat(results.resultCount(id)).as("results for %s", id).isEqualTo(1);
        }
    }

    @Test
    void malformedMessagesAreDeadLetteredWithTheReasonAndDoNotBlock(TestInfo info) throws Exception {
        topicsFor(info);
        RecordingHandler a = new RecordingHandler("a");
        KafkaRequestConsumer nodeA = node("node-poison-" + System.nanoTime(), i -> true, a);
        KafkaResultWatcher results = watcher();

        QueuedRequest good = request("a-1", "{\"seq\":1}");
        QueuedRequest mismatched = request("a-1", "{\"seq\":2}");
        QueuedRequest sample = request("a-1", "{\"seq\":3}");
        QueuedRequest otherTarget = new QueuedRequest("a-1", "POST", "/v1/instances/a-2/disks", sample.bodyBase64(), sample.nonce(),
                sample.expires(), sample.signature(), sample.address());
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer());
             KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            raw.send(new ProducerRecord<>(config.requestTopic(), utf8("a-1"), utf8("{this is not json"))).get(30, TimeUnit.SECONDS);
            QueuedRequest get = request("a-1", "");
            raw.send(new ProducerRecord<>(config.requestTopic(), utf8("a-1"), dev.form.queue.QueuedRequestCodec.encode(new QueuedRequest(
                    get.instance(), "GET", get.target(), get.bodyBase64(), get.nonce(), get.expires(), get.signature(), get.address())))).get(30, TimeUnit.SECONDS);
            raw.send(new ProducerRecord<>(config.requestTopic(), utf8("a-1"), utf8("{\"instance\":\"a-1\",\"method\":\"POST\"}"))).get(30, TimeUnit.SECONDS);
            raw.send(new ProducerRecord<>(config.requestTopic(), utf8("a-9"), dev.form.queue.QueuedRequestCodec.encode(mismatched))).get(30, TimeUnit.SECONDS);
            queue.submit(otherTarget);
            queue.submit(good);
        }
        assertThat(results.outcome(good.nonce()).get(WAIT.toSeconds(), TimeUnit.SECONDS).state()).isEqualTo("done");

        List<ConsumerRecord<byte[], byte[]>> dead = readAll(config.deadLetterTopic(), 5);
        assertThat(dead).hasSize(5);
        assertThat(dead).allSatisfy(d -> {
            assertThat(header(d, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(config.requestTopic());
            assertThat(header(d, DeadLetterHeaders.SOURCE_OFFSET)).matches("[0-9]+");
        });
        ConsumerRecord<byte[], byte[]> notJson = withReason(dead, "not a QueuedRequest JSON object");
        assertThat(new String(notJson.value(), StandardCharsets.UTF_8)).as("the original bytes, untouched").isEqualTo("{this is not json");
        assertThat(header(withReason(dead, "method must be POST, PUT or DELETE"), DeadLetterHeaders.FIELD)).isEqualTo("method");
        assertThat(header(withReason(dead, "target is required"), DeadLetterHeaders.FIELD)).isEqualTo("target");
        assertThat(new String(withReason(dead, "keyed by instance id").key(), StandardCharsets.UTF_8)).isEqualTo("a-9");
        assertThat(header(withReason(dead, "target names another instance"), DeadLetterHeaders.FIELD)).as("refused by the handler").isEqualTo("instance");
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeA.stats().deadLettered()).isEqualTo(5));
        assertThat(a.effectCount()).isEqualTo(1);
        assertThat(a.calls).doesNotContainKey(mismatched.nonce());
    }

    @Test
    void aFailingRequestIsRetriedAndLaterOnesOfItsInstanceWait(TestInfo info) throws Exception {
        topicsFor(info);
        RecordingHandler a = new RecordingHandler("a");
        QueuedRequest first = request("a-1", "{\"seq\":1}");
        QueuedRequest second = request("a-1", "{\"seq\":2}");
        QueuedRequest third = request("a-1", "{\"seq\":3}");
        QueuedRequest poison = request("a-2", "{\"seq\":1}");
        QueuedRequest afterPoison = request("a-2", "{\"seq\":2}");
        a.failuresToInject.put(second.nonce(), new AtomicInteger(2));
        a.failuresToInject.put(poison.nonce(), new AtomicInteger(Integer.MAX_VALUE));
        KafkaRequestConsumer nodeA = new KafkaRequestConsumer(config,
                KafkaRequestConsumer.Settings.forGroup("node-retry-" + System.nanoTime()).withRetry(3, Duration.ofMillis(100)), i -> true, a);
        closeables.add(nodeA);
        nodeA.start();
        KafkaResultWatcher results = watcher();
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            for (QueuedRequest r : List.of(first, second, third, poison, afterPoison)) queue.submit(r);
        }
        awaitAll(results, List.of(first.nonce(), second.nonce(), third.nonce(), afterPoison.nonce()));

        assertThat(a.effectsByInstance.get("a-1")).containsExactly("{\"seq\":1}", "{\"seq\":2}", "{\"seq\":3}");
        assertThat(a.calls.get(second.nonce()).get()).isEqualTo(3);
        // The request that never succeeds ends in the dead letters after maxAttempts, not blocking its instance.
        assertThat(a.effectsByInstance.get("a-2")).containsExactly("{\"seq\":2}");
        assertThat(a.calls.get(poison.nonce()).get()).isEqualTo(3);
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(config.deadLetterTopic(), 1);
        assertThat(header(dead.getFirst(), DeadLetterHeaders.REASON)).contains("not processed after 3 attempts").contains("registry unavailable");
        assertThat(nodeA.stats().retried()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aSlowInstanceDoesNotHoldUpRequestsForOthersThatArriveLater(TestInfo info) throws Exception {
        topicsFor(info);
        RecordingHandler a = new RecordingHandler("a");
        a.slowInstances.put("a-slow", Duration.ofMillis(700));
        KafkaRequestConsumer nodeA = node("node-slow-" + System.nanoTime(), i -> true, a);
        KafkaResultWatcher results = watcher();
        List<QueuedRequest> slow = IntStream.range(0, 4).mapToObj(n -> request("a-slow", "{\"seq\":" + n + "}")).toList();
        List<QueuedRequest> fast = IntStream.range(0, 30).mapToObj(n -> request("a-fast-" + (n % 3), "{\"seq\":" + n + "}")).toList();
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            for (QueuedRequest r : slow) queue.submit(r);
            // the slow instance's lane is busy before the others' requests even exist
            await().atMost(WAIT).until(() -> a.calls.containsKey(slow.getFirst().nonce()));
            for (QueuedRequest r : fast) queue.submit(r);
        }
        awaitAll(results, fast.stream().map(QueuedRequest::nonce).toList());
        long lastFast = fast.stream().mapToLong(r -> a.appliedAtNanos.get(r.nonce())).max().orElseThrow();
        awaitAll(results, slow.stream().map(QueuedRequest::nonce).toList());
        long lastSlow = a.appliedAtNanos.get(slow.getLast().nonce());
        assertThat(lastFast).as("every later request of the other instances is applied while the slow one still works (4 x 700 ms)")
                .isLessThan(lastSlow);
        assertThat(a.effectsByInstance.get("a-slow")).containsExactlyElementsOf(
                IntStream.range(0, 4).mapToObj(n -> "{\"seq\":" + n + "}").toList());
        for (int i = 0; i < 3; i++) {
            int lane = i;
            assertThat(a.effectsByInstance.get("a-fast-" + i)).as("order of a-fast-%d", i).containsExactlyElementsOf(
                    IntStream.range(0, 30).filter(n -> n % 3 == lane).mapToObj(n -> "{\"seq\":" + n + "}").toList());
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeA.stats().applied()).isEqualTo(34));
        for (QueuedRequest r : slow) assertThat(results.resultCount(r.nonce())).as("one outcome for %s", r.nonce()).isEqualTo(1);
    }

    @Test
    void aBrokerRestartMidStreamLosesNothingAndAppliesNothingTwice(TestInfo info) throws Exception {
        topicsFor(info);
        RecordingHandler a = new RecordingHandler("a");
        node("node-restart-" + System.nanoTime(), i -> true, a);
        KafkaResultWatcher results = watcher();
        List<String> ids = new ArrayList<>();
        Map<String, List<String>> sent = new LinkedHashMap<>();
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config, Duration.ofSeconds(90))) {
            List<Future<?>> pending = new ArrayList<>();
            for (int n = 0; n < 300; n++) {
                String instance = "a-" + (n % 5);
                String body = "{\"seq\":" + n + "}";
                QueuedRequest r = request(instance, body);
                ids.add(r.nonce());
                sent.computeIfAbsent(instance, k -> new ArrayList<>()).add(body);
                pending.add(queue.submitAsync(r));
                if (n == 150) broker.restart(); // mid-stream: 150 sent, the rest to a broker coming back
                if (n % 25 == 0) Thread.sleep(20);
            }
            for (Future<?> f : pending) f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        awaitAll(results, ids);
        for (var e : sent.entrySet()) {
            assertThat(a.effectsByInstance.get(e.getKey())).as("effects on %s", e.getKey()).containsExactlyElementsOf(e.getValue());
        }
        assertThat(a.effectCount()).isEqualTo(300);
    }

    @Test
    void aRestartedNodeResumesFromItsCommittedOffsetsWithoutReplaying(TestInfo info) throws Exception {
        topicsFor(info);
        String group = "node-resume-" + System.nanoTime();
        RecordingHandler a = new RecordingHandler("a");
        KafkaRequestConsumer first = new KafkaRequestConsumer(config, KafkaRequestConsumer.Settings.forGroup(group), i -> true, a);
        first.start();
        KafkaResultWatcher results = watcher();
        List<String> before = new ArrayList<>();
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            for (int n = 0; n < 20; n++) before.add(queue.submit(request("a-1", "{\"seq\":" + n + "}")));
            awaitAll(results, before);
            first.close();
            KafkaRequestConsumer second = node(group, i -> true, a);
            List<String> after = new ArrayList<>();
            for (int n = 20; n < 30; n++) after.add(queue.submit(request("a-1", "{\"seq\":" + n + "}")));
            awaitAll(results, after);
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(second.stats().applied()).as("the restarted node handled only the new requests").isEqualTo(10));
        }
        for (String id : before) assertThat(a.calls.get(id).get()).isEqualTo(1);
        assertThat(a.effectsByInstance.get("a-1")).containsExactlyElementsOf(
                IntStream.range(0, 30).mapToObj(n -> "{\"seq\":" + n + "}").toList());
    }

    @Test
    void theProducerRefusesAMalformedRequestBeforeSending(TestInfo info) {
        topicsFor(info);
        try (KafkaRequestQueue queue = new KafkaRequestQueue(config)) {
            QueuedRequest r = request("a-1", "{}");
            QueuedRequest wrong = new QueuedRequest("a-1", r.method(), "/v1/instances", r.bodyBase64(), r.nonce(), r.expires(), r.signature(), r.address());
            assertThatThrownBy(() -> queue.submit(wrong)).isInstanceOfSatisfying(MalformedRequestException.class,
                    e -> assertThat(e.field()).isEqualTo("target"));
        }
        assertThat(readAll(config.requestTopic(), 0)).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------

    private KafkaRequestConsumer node(String group, java.util.function.Predicate<String> owns, RecordingHandler handler) throws InterruptedException {
        KafkaRequestConsumer c = new KafkaRequestConsumer(config, KafkaRequestConsumer.Settings.forGroup(group), owns, handler);
        closeables.add(c);
        c.start();
        assertThat(c.awaitAssignment(WAIT)).as("node %s joined its group", group).isTrue();
        return c;
    }

    private KafkaResultWatcher watcher() throws InterruptedException {
        KafkaResultWatcher w = new KafkaResultWatcher(config, true);
        closeables.add(w);
        assertThat(w.awaitReady(WAIT)).isTrue();
        return w;
    }

    private static void awaitAll(KafkaResultWatcher results, List<String> ids) throws Exception {
        CompletableFuture<?>[] all = ids.stream().map(results::outcome).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(all).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        Map<String, Object> p = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(expected == 0 ? 2 : 30).toNanos();
            while (System.nanoTime() < deadline && (expected == 0 || out.size() < expected)) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    static QueuedRequest request(String instance, String body) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return new QueuedRequest(instance, "POST", "/v1/instances/" + instance + "/disks",
                Base64.getEncoder().encodeToString(utf8(body)), HexFormat.of().formatHex(nonce),
                System.currentTimeMillis() / 1000 + 3600, "0x" + "11".repeat(65), "0x" + "22".repeat(20));
    }

    private static ConsumerRecord<byte[], byte[]> withReason(List<ConsumerRecord<byte[], byte[]>> dead, String reason) {
        return dead.stream().filter(d -> String.valueOf(header(d, DeadLetterHeaders.REASON)).contains(reason)).findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter with reason containing \"" + reason + "\" among "
                        + dead.stream().map(d -> header(d, DeadLetterHeaders.REASON)).toList()));
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
