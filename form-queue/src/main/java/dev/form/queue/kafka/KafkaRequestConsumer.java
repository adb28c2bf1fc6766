package dev.form.queue.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.form.core.api.Json;
import dev.form.core.api.QueuedRequest;
import dev.form.core.api.RequestStatusView;
import dev.form.queue.MalformedRequestException;
import dev.form.queue.QueuedRequestCodec;
import dev.form.queue.QueuedRequestHandler;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One service node's consumer of the request topic.
 *
 * <p>Every node reads every request under its own group id, applies those for the instances it owns
 * (the {@code owns} predicate) through the {@link QueuedRequestHandler}, ignores the rest, and
 * publishes each outcome to the result topic keyed by request id. A batch's offsets are committed only
 * after all its outcomes are recorded and published, so a crash at any point means redelivery, never
 * loss; the handler makes redelivery harmless (same nonce → the recorded outcome).
 *
 * <p>Order: one instance's requests share a partition; within a polled batch they form one lane that
 * runs sequentially, while lanes of different instances run in parallel on {@code workers} threads.
 * A lane that fails (the handler threw: nothing recorded) stops there; its partition is rewound to
 * that message and retried after a back-off, so later requests of that instance never overtake it.
 * After {@code maxAttempts} failed attempts the message is dead-lettered with the last error, so one
 * message can never block its partition forever. A malformed message — one the codec refuses, or one the
 * handler refuses with a {@link MalformedRequestException} — is dead-lettered at once with the reason
 * ({@link DeadLetterHeaders}) and processing goes on.
 */
public final class KafkaRequestConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaRequestConsumer.class);

    /**
     * @param groupId          this node's consumer group (one per node: each node sees every request)
     * @param partitions       partitions of the request and result topics when this node creates them
     * @param workers          instances applied in parallel
     * @param maxAttempts      handler failures before a message is dead-lettered instead of retried
     * @param retryBackoff     pause before a failed message is retried
     * @param publishTimeout   how long publishing an outcome may take (covers a broker restart)
     * @param startFromLatest  a node joining for the first time skips requests already in the topic
     *                         (default false: it processes them; old ones then fail as expired)
     */
    public record Settings(String groupId, int partitions, int workers, int maxAttempts, Duration retryBackoff,
                           Duration publishTimeout, boolean startFromLatest) {
        public Settings {
            if (groupId == null || groupId.isBlank()) throw new IllegalArgumentException("queue.kafka.group_id is required: one consumer group per node");
            if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1");
            if (workers < 1) throw new IllegalArgumentException("workers must be at least 1");
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
        }

        public static Settings forGroup(String groupId) {
            return new Settings(groupId, 8, 8, 10, Duration.ofSeconds(1), Duration.ofMinutes(2), false);
        }

        public Settings withWorkers(int n) {
            return new Settings(groupId, partitions, n, maxAttempts, retryBackoff, publishTimeout, startFromLatest);
        }

        public Settings withRetry(int attempts, Duration backoff) {
            return new Settings(groupId, partitions, workers, attempts, backoff, publishTimeout, startFromLatest);
        }
    }

    /** Counters since start: applied (handled by this node), ignored (other nodes' instances), dead-lettered, retried. */
    public record Stats(long applied, long ignored, long deadLettered, long retried) {
    }

    private final KafkaQueueConfig config;
    private final Settings settings;
    private final Predicate<String> owns;
    private final QueuedRequestHandler handler;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private final Object assignmentMonitor = new Object();
    private volatile boolean assigned;
    private volatile boolean running;
    private Thread thread;
    private ExecutorService workers;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;

    public KafkaRequestConsumer(KafkaQueueConfig config, Settings settings, Predicate<String> owns, QueuedRequestHandler handler) {
        this.config = config;
        this.settings = settings;
        this.owns = owns;
        this.handler = handler;
    }

    /** Starts the consuming thread; topics are created (if missing) and the group joined in the background. */
    public synchronized void start() {
        if (running) return;
        running = true;
        workers = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "form-kafka-apply-" + settings.groupId());
            t.setDaemon(true);
            return t;
        });
        producer = new KafkaProducer<>(KafkaRequestQueue.producerProperties(config.bootstrapServers(), settings.publishTimeout(), "form-node-" + settings.groupId()),
                new ByteArraySerializer(), new ByteArraySerializer());
        consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "form-kafka-consumer-" + settings.groupId());
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits until this node has its partitions (tests and start-up checks); false on timeout. */
    public boolean awaitAssignment(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (assignmentMonitor) {
            while (!assigned) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(assignmentMonitor, left);
            }
            return true;
        }
    }

    public Stats stats() {
        return new Stats(applied.get(), ignored.get(), deadLettered.get(), retried.get());
    }

    public String groupId() {
        return settings.groupId();
    }

    /** Stops after the batch in hand; offsets of finished work are committed. */
    @Override
    public synchronized void close() {
        if (!running) return;
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }

    private void run() {
        try {
            ensureTopics();
            consumer.subscribe(List.of(config.requestTopic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    commitUncommitted();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    synchronized (assignmentMonitor) {
                        assigned = true;
                        assignmentMonitor.notifyAll();
                    }
                }
            });
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (!uncommitted.isEmpty()) commitUncommitted();
                    continue;
                }
                processBatch(records);
            }
        } catch (WakeupException e) {
            if (running) log.error("Kafka consumer {} woken up unexpectedly", settings.groupId(), e);
        } catch (RuntimeException e) {
            log.error("Kafka consumer {} stopped: {}", settings.groupId(), e.toString(), e);
        } finally {
            try {
                commitUncommitted();
            } catch (RuntimeException e) {
                log.warn("could not commit offsets of {} on the way out: {}", settings.groupId(), e.toString());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void ensureTopics() {
        long backoff = 500;
        while (running) {
            try {
                KafkaTopics.ensure(config, settings.partitions(), Duration.ofSeconds(15));
                return;
            } catch (RuntimeException e) {
                log.warn("Kafka queue topics not ready yet ({}); retrying in {} ms", e.getMessage(), backoff);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /** One message of a batch and what became of it. */
    private static final class Item {
        final ConsumerRecord<byte[], byte[]> record;
        final QueuedRequest request;
        final MalformedRequestException malformed;
        RequestStatusView outcome;
        String giveUpReason;
        String giveUpField;
        boolean failed;

        Item(ConsumerRecord<byte[], byte[]> record, QueuedRequest request, MalformedRequestException malformed) {
            this.record = record;
            this.request = request;
            this.malformed = malformed;
        }

        String id() {
            return record.topic() + "/" + record.partition() + "@" + record.offset();
        }
    }

    private void processBatch(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, List<Item>> byPartition = new LinkedHashMap<>();
        Map<String, List<Item>> lanes = new LinkedHashMap<>();
        List<Item> malformed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Item item;
            try {
                item = new Item(r, QueuedRequestCodec.decode(r.key(), r.value()), null);
            } catch (MalformedRequestException e) {
                item = new Item(r, null, e);
            }
            byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(item);
            if (item.malformed != null) {
                malformed.add(item);
            } else if (!owns.test(item.request.instance())) {
                ignored.incrementAndGet();
            } else {
                lanes.computeIfAbsent(r.partition() + "/" + item.request.instance(), k -> new ArrayList<>()).add(item);
            }
        }

        runLanes(lanes.values());

        List<Future<RecordMetadata>> sends = new ArrayList<>();
        List<Item> sent = new ArrayList<>();
        for (Item item : malformed) {
            sends.add(deadLetter(item.record, item.malformed.getMessage(), item.malformed.field()));
            sent.add(item);
        }
        for (List<Item> lane : lanes.values()) {
            for (Item item : lane) {
                if (item.outcome != null) {
                    sends.add(producer.send(new ProducerRecord<>(config.resultTopic(),
                            item.request.nonce().getBytes(StandardCharsets.UTF_8), json(item.outcome))));
                    sent.add(item);
                } else if (item.giveUpReason != null) {
                    sends.add(deadLetter(item.record, item.giveUpReason, item.giveUpField));
                    sent.add(item);
                }
            }
        }
        producer.flush();
        for (int i = 0; i < sends.size(); i++) {
            Item item = sent.get(i);
            try {
                sends.get(i).get(settings.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
                if (item.malformed != null || item.giveUpReason != null) {
                    deadLettered.incrementAndGet();
                    synchronized (attempts) {
                        attempts.remove(item.id());
                    }
                } else {
                    applied.incrementAndGet();
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                log.warn("could not publish the outcome of {} ({}); it will be redelivered", item.id(), rootMessage(e));
                item.failed = true;
            }
        }

        boolean rewound = false;
        for (var entry : byPartition.entrySet()) {
            List<Item> items = entry.getValue();
            long next = items.getLast().record.offset() + 1;
            for (Item item : items) {
                if (item.failed) {
                    next = item.record.offset();
                    break;
                }
            }
            uncommitted.put(entry.getKey(), new OffsetAndMetadata(next));
            if (next <= items.getLast().record.offset()) {
                consumer.seek(entry.getKey(), next);
                retried.incrementAndGet();
                rewound = true;
            }
        }
        commitUncommitted();
        if (rewound) sleep(settings.retryBackoff().toMillis());
    }

    private void runLanes(Collection<List<Item>> lanes) {
        if (lanes.isEmpty()) return;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (List<Item> lane : lanes) {
            tasks.add(() -> {
                runLane(lane);
                return null;
            });
        }
        try {
            for (Future<Void> f : workers.invokeAll(tasks)) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    log.error("a lane of {} failed unexpectedly", settings.groupId(), e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    /** Applies one instance's messages in order; stops at the first one that could not be recorded. */
    private void runLane(List<Item> lane) {
        boolean blocked = false;
        for (Item item : lane) {
            if (blocked) {
                item.failed = true;
                continue;
            }
            try {
                RequestStatusView outcome = handler.handle(item.request);
                if (outcome == null) throw new IllegalStateException("the handler returned no outcome");
                item.outcome = outcome;
                synchronized (attempts) {
                    attempts.remove(item.id());
                }
            } catch (MalformedRequestException e) {
                // The service found it can never apply this message (e.g. its instance and target disagree).
                item.giveUpReason = e.getMessage();
                item.giveUpField = e.field();
            } catch (Exception e) {
                int n;
                synchronized (attempts) {
                    n = attempts.merge(item.id(), 1, Integer::sum);
                }
                if (n >= settings.maxAttempts()) {
                    item.giveUpReason = "not processed after " + n + " attempts: " + rootMessage(e);
                    log.error("giving up on request {} at {} after {} attempts; dead-lettering it", item.request.nonce(), item.id(), n, e);
                } else {
                    log.warn("request {} at {} not processed (attempt {} of {}): {}; will retry",
                            item.request.nonce(), item.id(), n, settings.maxAttempts(), rootMessage(e));
                    item.failed = true;
                    blocked = true;
                }
            }
        }
    }

    private Future<RecordMetadata> deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, String field) {
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(config.deadLetterTopic(), r.key(), r.value());
        dead.headers().add(new RecordHeader(DeadLetterHeaders.REASON, utf8(reason)));
        if (field != null) dead.headers().add(new RecordHeader(DeadLetterHeaders.FIELD, utf8(field)));
        dead.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_TOPIC, utf8(r.topic())));
        dead.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_PARTITION, utf8(Integer.toString(r.partition()))));
        dead.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_OFFSET, utf8(Long.toString(r.offset()))));
        dead.headers().add(new RecordHeader(DeadLetterHeaders.NODE_GROUP, utf8(settings.groupId())));
        log.warn("dead-lettering {}/{}@{}: {}", r.topic(), r.partition(), r.offset(), reason);
        return producer.send(dead);
    }

    private void commitUncommitted() {
        if (uncommitted.isEmpty()) return;
        try {
            consumer.commitSync(new HashMap<>(uncommitted), Duration.ofSeconds(10));
            uncommitted.clear();
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            // Kept for the next attempt; if this node dies first, the messages are redelivered (harmless).
            log.warn("offset commit of {} failed ({}); will retry", settings.groupId(), e.toString());
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        // Static membership: a node that restarts takes its partitions back at once instead of waiting
        // for its old session to time out.
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.groupId() + "-node");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "form-node-" + settings.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, settings.startFromLatest() ? "latest" : "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        p.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        return p;
    }

    static byte[] json(RequestStatusView view) {
        try {
            return Json.mapper().writeValueAsBytes(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a RequestStatusView always serializes: " + e.getMessage(), e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t.getCause() != null && t.getMessage() == null) && t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }
}
