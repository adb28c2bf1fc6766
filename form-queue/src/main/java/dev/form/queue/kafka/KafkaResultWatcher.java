package dev.form.queue.kafka;

import dev.form.core.api.Json;
import dev.form.core.api.RequestStatusView;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads the result topic (the fleet-wide record of outcomes) without joining a consumer group: for a
 * requester waiting on its request ({@code form manage status --wait} with a Kafka queue), and for tests
 * and the benchmark. It remembers the latest result per request id it has seen.
 */
public final class KafkaResultWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaResultWatcher.class);

    private final KafkaQueueConfig config;
    private final boolean fromBeginning;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, RequestStatusView> latest = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<RequestStatusView>> waiters = new ConcurrentHashMap<>();
    private final Map<String, Long> seenAtNanos = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final CountDownLatch positioned = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param fromBeginning read the whole topic (to look up any past request) rather than only results
     *                      published from now on
     */
    public KafkaResultWatcher(KafkaQueueConfig config, boolean fromBeginning) {
        this.config = config;
        this.fromBeginning = fromBeginning;
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "form-results-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "form-kafka-results");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits until the watcher has its starting positions: results published after this are seen. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return positioned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes with the request's final result (done or failed) once one is seen. */
    public CompletableFuture<RequestStatusView> outcome(String requestId) {
        CompletableFuture<RequestStatusView> f = waiters.computeIfAbsent(requestId, k -> new CompletableFuture<>());
        RequestStatusView known = latest.get(requestId);
        if (known != null && isFinal(known)) f.complete(known);
        return f;
    }

    /** The latest result seen for the request, if any. */
    public Optional<RequestStatusView> latest(String requestId) {
        return Optional.ofNullable(latest.get(requestId));
    }

    /** System.nanoTime() when the request's first final result arrived here (for latency measurements). */
    public Optional<Long> finishedAtNanos(String requestId) {
        return Optional.ofNullable(seenAtNanos.get(requestId));
    }

    /** The latest result of every request seen. */
    public Map<String, RequestStatusView> all() {
        return Map.copyOf(latest);
    }

    /** How many results were published for the request (more than one only after a redelivery). */
    public int resultCount(String requestId) {
        return counts.getOrDefault(requestId, 0);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            while (running && partitions.isEmpty()) {
                List<PartitionInfo> infos = consumer.partitionsFor(config.resultTopic(), Duration.ofSeconds(10));
                if (infos != null) for (PartitionInfo pi : infos) partitions.add(new TopicPartition(pi.topic(), pi.partition()));
                if (partitions.isEmpty()) Thread.sleep(200);
            }
            consumer.assign(partitions);
            if (fromBeginning) consumer.seekToBeginning(partitions);
            else consumer.seekToEnd(partitions);
            for (TopicPartition tp : partitions) consumer.position(tp, Duration.ofSeconds(30));
            positioned.countDown();
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) accept(r);
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("result watcher on {} stopped: {}", config.resultTopic(), e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        long now = System.nanoTime();
        String id = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        RequestStatusView view;
        try {
            view = Json.mapper().readValue(r.value(), RequestStatusView.class);
        } catch (IOException e) {
            log.warn("unreadable result at {}/{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            return;
        }
        if (id == null) id = view.requestId();
        latest.put(id, view);
        counts.merge(id, 1, Integer::sum);
        if (isFinal(view)) {
            seenAtNanos.putIfAbsent(id, now);
            CompletableFuture<RequestStatusView> f = waiters.get(id);
            if (f != null) f.complete(view);
        }
    }

    private static boolean isFinal(RequestStatusView v) {
        return "done".equals(v.state()) || "failed".equals(v.state());
    }
}
