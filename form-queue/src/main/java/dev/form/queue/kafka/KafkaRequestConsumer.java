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
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One service node's consumer of the request topic.
 *
 * <p>Every node reads every request under its own group id, applies those for the instances it owns
 * (the {@code owns} predicate) through the {@link QueuedRequestHandler}, ignores the rest, and
 * publishes each outcome to the result topic keyed by request id. An offset is committed only once
 * every message before it is finished — outcome recorded and published, or dead-lettered, or not this
 * node's — so a crash at any point means redelivery, never loss; the handler makes redelivery harmless
 * (same nonce → the recorded outcome).
 *
 * <p>Order and parallelism: one instance's requests share a partition and form one lane, applied one
 * at a time in offset order; lanes of different instances run in parallel on {@code workers} threads.
 * Lanes are fed continuously as messages arrive — no lane waits for another instance's requests of the
 * same poll — which is what keeps every worker busy when one instance has many requests queued and
 * another few. The offsets finish out of order across lanes, and {@link PartitionProgress} commits only
 * up to the first unfinished one. At most {@link #MAX_IN_FLIGHT} messages are taken and unfinished at
 * a time; beyond that the partitions are paused.
 *
 * <p>A request the handler fails on (it threw: nothing recorded) stays at the head of its lane and is
 * tried again after a back-off, so later requests of that instance never overtake it; after
 * {@code maxAttempts} failed attempts it is dead-lettered with the last error, so one message can never
 * block its instance forever. A malformed message — one the codec refuses, or one the handler refuses
 * with a {@link MalformedRequestException} — is dead-lettered at once with the reason
 * ({@link DeadLetterHeaders}) and processing goes on. An outcome the broker did not take is sent again.
 */
public final class KafkaRequestConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaRequestConsumer.class);
    /** Messages taken and not finished before the partitions are paused: bounds memory and the drain at close. */
    static final int MAX_IN_FLIGHT = 2000;
    /**
     * Bytes fetched per partition at a time (Kafka's default is 1 MiB, about a thousand requests): small
     * enough that every poll brings requests of every partition, so lanes of all instances are fed rather
     * than the few that share the first partition fetched.
     */
    private static final int PARTITION_FETCH_BYTES = 64 * 1024;
    /** How long a poll waits when nothing arrives (commits and outcomes to send again are handled between polls). */
    private static final Duration POLL = Duration.ofMillis(50);
    /** At most one asynchronous offset commit per this interval: a commit is a broker request, and a later one covers an earlier one. */
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);
    /**
     * How long the publisher gathers outcomes while other requests are being applied: the broker pays per
     * produce request, so outcomes finishing close together share one. A lone request never waits.
     */
    private static final Duration PUBLISH_GATHER = Duration.ofMillis(10);
    /** Outcomes in one produce request at most. */
    private static final int PUBLISH_BATCH = 500;
    /** How long close and a revocation wait for the requests being applied to finish. */
    private static final Duration DRAIN = Duration.ofSeconds(30);

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
        /** Instances applied in parallel by default: most of a request's time is spent waiting (fsync, the hypervisor, the guest). */
        public static final int DEFAULT_WORKERS = 32;

        public Settings {
            if (groupId == null || groupId.isBlank()) throw new IllegalArgumentException("queue.kafka.group_id is required: one consumer group per node");
            if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1");
            if (workers < 1) throw new IllegalArgumentException("workers must be at least 1");
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
        }

        public static Settings forGroup(String groupId) {
            return new Settings(groupId, 8, DEFAULT_WORKERS, 10, Duration.ofSeconds(1), Duration.ofMinutes(2), false);
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
    /** Partitions assigned to this node and the progress of their messages (the consumer thread adds and removes). */
    private final Map<TopicPartition, PartitionProgress> progress = new ConcurrentHashMap<>();
    /** Lanes by partition and instance; only the consumer thread adds and removes them. */
    private final Map<String, Lane> lanes = new HashMap<>();
    /** Messages taken and not finished. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Outcomes and dead letters the broker did not take, to be sent again by the consumer thread. */
    private final ConcurrentLinkedQueue<Publication> unsent = new ConcurrentLinkedQueue<>();
    /** Outcomes and dead letters waiting for the publisher thread. */
    private final LinkedBlockingQueue<Publication> outbox = new LinkedBlockingQueue<>();
    /** Requests inside the handler right now: while there are any, more outcomes are about to come. */
    private final AtomicInteger applying = new AtomicInteger();
    private volatile boolean publishing;
    private Thread publisher;
    private final Object assignmentMonitor = new Object();
    private volatile boolean assigned;
    private volatile boolean running;
    /** Set when closing: lanes stop after the request in hand; what they leave is redelivered later. */
    private volatile boolean stopping;
    private boolean paused;
    private long lastCommitNanos;
    private Thread thread;
    private ExecutorService workers;
    private ScheduledExecutorService retries;
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
        retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "form-kafka-retry-" + settings.groupId());
            t.setDaemon(true);
            return t;
        });
        producer = new KafkaProducer<>(KafkaRequestQueue.producerProperties(config.bootstrapServers(), settings.publishTimeout(),
                "form-node-" + settings.groupId()), new ByteArraySerializer(), new ByteArraySerializer());
        consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        publishing = true;
        publisher = new Thread(this::publishLoop, "form-kafka-publish-" + settings.groupId());
        publisher.setDaemon(true);
        publisher.start();
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

    /** Stops after the requests in hand; offsets of finished work are committed, the rest is redelivered later. */
    @Override
    public synchronized void close() {
        if (!running) return;
        running = false;
        consumer.wakeup();
        try {
            thread.join(DRAIN.toMillis() + TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        retries.shutdownNow();
        workers.shutdownNow();
        publishing = false;
        publisher.interrupt();
        try {
            publisher.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }

    private void run() {
        try {
            ensureTopics();
            consumer.subscribe(List.of(config.requestTopic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // Let what is being applied finish and commit it, so the next owner starts right after it.
                    awaitIdle();
                    commitSync(partitions);
                    partitions.forEach(progress::remove);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    for (TopicPartition p : partitions) progress.putIfAbsent(p, new PartitionProgress());
                    synchronized (assignmentMonitor) {
                        assigned = true;
                        assignmentMonitor.notifyAll();
                    }
                }
            });
            while (running) {
                resendUnsent();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> r : records) take(r);
                commitAsync();
                pruneIdleLanes();
                applyBackPressure();
            }
        } catch (WakeupException e) {
            if (running) log.error("Kafka consumer {} woken up unexpectedly", settings.groupId(), e);
        } catch (RuntimeException e) {
            log.error("Kafka consumer {} stopped: {}", settings.groupId(), e.toString(), e);
        } finally {
            stopping = true;
            try {
                awaitIdle();
                commitSync(List.copyOf(progress.keySet()));
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

    /** One message and where it stands. */
    private static final class Item {
        final ConsumerRecord<byte[], byte[]> record;
        final TopicPartition partition;
        final QueuedRequest request;
        int attempts;

        Item(ConsumerRecord<byte[], byte[]> record, QueuedRequest request) {
            this.record = record;
            this.partition = new TopicPartition(record.topic(), record.partition());
            this.request = request;
        }

        String id() {
            return record.topic() + "/" + record.partition() + "@" + record.offset();
        }
    }

    /** One instance's messages of one partition, applied one at a time in offset order. */
    private static final class Lane {
        final ArrayDeque<Item> items = new ArrayDeque<>();
        /** A worker owns the lane (applying, or waiting to retry its head): nobody else may start it. */
        boolean scheduled;
    }

    /** A message for the result or dead-letter topic, and the request message it finishes. */
    private record Publication(ProducerRecord<byte[], byte[]> record, Item item, boolean deadLetter) {
    }

    /** Consumer thread: takes one message; it is finished at once (not ours) or handed to its instance's lane. */
    private void take(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        progress.computeIfAbsent(tp, k -> new PartitionProgress()).taken(r.offset());
        inFlight.incrementAndGet();
        QueuedRequest request;
        try {
            request = QueuedRequestCodec.decode(r.key(), r.value());
        } catch (MalformedRequestException e) {
            publish(new Publication(deadLetter(r, e.getMessage(), e.field()), new Item(r, null), true));
            return;
        }
        Item item = new Item(r, request);
        if (!owns.test(request.instance())) {
            ignored.incrementAndGet();
            finished(item);
            return;
        }
        Lane lane = lanes.computeIfAbsent(r.partition() + "/" + request.instance(), k -> new Lane());
        synchronized (lane) {
            lane.items.add(item);
            if (lane.scheduled) return;
            lane.scheduled = true;
        }
        workers.execute(() -> drain(lane));
    }

    /** Worker: applies the lane's messages in order until it is empty, or its head must wait for a retry. */
    private void drain(Lane lane) {
        while (true) {
            Item item;
            synchronized (lane) {
                item = lane.items.peek();
                if (item == null || stopping) {
                    lane.scheduled = false;
                    return;
                }
            }
            Publication next = apply(item);
            if (next == null) {
                // not recorded: the head stays, the lane keeps its owner and resumes after the back-off
                retries.schedule(() -> resume(lane), settings.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            synchronized (lane) {
                lane.items.poll();
            }
            publish(next);
        }
    }

    private void resume(Lane lane) {
        try {
            workers.execute(() -> drain(lane));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            synchronized (lane) {
                lane.scheduled = false;
            }
        }
    }

    /** Runs the handler once: the outcome to publish, a dead letter, or null to try again later. */
    private Publication apply(Item item) {
        try {
            RequestStatusView outcome;
            applying.incrementAndGet();
            try {
                outcome = handler.handle(item.request);
            } finally {
                applying.decrementAndGet();
            }
            if (outcome == null) throw new IllegalStateException("the handler returned no outcome");
            return new Publication(new ProducerRecord<>(config.resultTopic(), item.request.nonce().getBytes(StandardCharsets.UTF_8), json(outcome)),
                    item, false);
        } catch (MalformedRequestException e) {
            // The service found it can never apply this message (e.g. its instance and target disagree).
            return new Publication(deadLetter(item.record, e.getMessage(), e.field()), item, true);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            item.attempts++;
            if (item.attempts >= settings.maxAttempts()) {
                log.error("giving up on request {} at {} after {} attempts; dead-lettering it", item.request.nonce(), item.id(), item.attempts, e);
                return new Publication(deadLetter(item.record, "not processed after " + item.attempts + " attempts: " + rootMessage(e), null), item, true);
            }
            log.warn("request {} at {} not processed (attempt {} of {}): {}; will retry",
                    item.request.nonce(), item.id(), item.attempts, settings.maxAttempts(), rootMessage(e));
            retried.incrementAndGet();
            return null;
        }
    }

    /** Hands an outcome (or dead letter) to the publisher; the request message finishes once the broker has it. */
    private void publish(Publication p) {
        outbox.add(p);
    }

    /**
     * The publisher thread: sends what is waiting in one go and waits for the broker's acknowledgement,
     * while the next outcomes gather — batched acknowledgement, so that a busy node pays the broker per
     * batch rather than per request, and an idle one sends each outcome at once.
     */
    private void publishLoop() {
        List<Publication> batch = new ArrayList<>();
        while (publishing) {
            try {
                Publication first = outbox.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                long until = System.nanoTime() + PUBLISH_GATHER.toNanos();
                while (applying.get() > 0 && batch.size() < PUBLISH_BATCH) {
                    long left = until - System.nanoTime();
                    if (left <= 0) break;
                    Publication more = outbox.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                    if (more != null) batch.add(more);
                }
                outbox.drainTo(batch, PUBLISH_BATCH - batch.size());
                for (Publication p : batch) send(p);
                producer.flush();
            } catch (InterruptedException e) {
                if (publishing) log.warn("the outcome publisher of {} was interrupted", settings.groupId());
            } catch (RuntimeException e) {
                // closing interrupts a flush; otherwise a failed batch is sent again (a duplicate outcome is harmless)
                if (publishing) {
                    log.error("the outcome publisher of {} failed; its batch is sent again", settings.groupId(), e);
                    unsent.addAll(batch);
                }
            } finally {
                batch.clear();
            }
        }
    }

    private void send(Publication p) {
        Callback done = (metadata, failure) -> {
            if (failure != null) {
                log.warn("could not publish the {} of {} ({}); sending it again", p.deadLetter() ? "dead letter" : "outcome", p.item().id(),
                        rootMessage(failure));
                unsent.add(p);
                return;
            }
            if (p.deadLetter()) deadLettered.incrementAndGet();
            else applied.incrementAndGet();
            finished(p.item());
        };
        try {
            producer.send(p.record(), done);
        } catch (RuntimeException e) {
            done.onCompletion(null, e);
        }
    }

    private void resendUnsent() {
        for (int n = unsent.size(); n > 0; n--) {
            Publication p = unsent.poll();
            if (p == null) return;
            publish(p);
        }
    }

    private void finished(Item item) {
        PartitionProgress p = progress.get(item.partition);
        if (p != null) p.finished(item.record.offset());
        inFlight.decrementAndGet();
    }

    /** Consumer thread: commits, without waiting, every partition whose commit point moved. */
    private void commitAsync() {
        long now = System.nanoTime();
        if (now - lastCommitNanos < COMMIT_INTERVAL.toNanos()) return;
        lastCommitNanos = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (var e : progress.entrySet()) {
            long point = e.getValue().toCommit();
            if (point >= 0) offsets.put(e.getKey(), new OffsetAndMetadata(point));
        }
        if (offsets.isEmpty()) return;
        consumer.commitAsync(offsets, (committed, failure) -> {
            for (var e : offsets.entrySet()) {
                PartitionProgress p = progress.get(e.getKey());
                if (p == null) continue;
                if (failure == null) p.commitSucceeded(e.getValue().offset());
                else p.commitFailed(e.getValue().offset());
            }
            // Not committed: the next round asks again; if this node dies first, the messages are redelivered (harmless).
            if (failure != null) log.warn("offset commit of {} failed ({}); will retry", settings.groupId(), failure.toString());
        });
    }

    /** Consumer thread: commits the commit points of {@code partitions} and waits for the answer. */
    private void commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionProgress p = progress.get(tp);
            long point = p == null ? -1 : p.commitPoint();
            if (point >= 0) offsets.put(tp, new OffsetAndMetadata(point));
        }
        if (offsets.isEmpty()) return;
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
            offsets.forEach((tp, o) -> {
                PartitionProgress p = progress.get(tp);
                if (p != null) p.commitSucceeded(o.offset());
            });
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("offset commit of {} failed ({}); the uncommitted messages will be redelivered", settings.groupId(), e.toString());
        }
    }

    /** Waits (bounded) until no lane is applying or retrying and every outcome sent is acknowledged. */
    private void awaitIdle() {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (System.nanoTime() < deadline) {
            resendUnsent();
            boolean busy = false;
            for (Lane lane : lanes.values()) {
                synchronized (lane) {
                    busy |= lane.scheduled;
                }
            }
            // when stopping, the lanes keep what they have not started: redelivered later
            if (!busy && unsent.isEmpty() && unfinishedOwnWork() == 0) return;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.warn("{}: requests still being applied after {} s; their messages will be redelivered", settings.groupId(), DRAIN.toSeconds());
    }

    /** Messages taken and not finished that no lane holds any more: outcomes on their way to the broker. */
    private int unfinishedOwnWork() {
        int queued = 0;
        for (Lane lane : lanes.values()) {
            synchronized (lane) {
                queued += lane.items.size();
            }
        }
        return Math.max(0, inFlight.get() - queued);
    }

    /** Consumer thread: forgets lanes with nothing to do (instances come and go). */
    private void pruneIdleLanes() {
        if (lanes.size() < 256) return;
        for (Iterator<Lane> it = lanes.values().iterator(); it.hasNext(); ) {
            Lane lane = it.next();
            synchronized (lane) {
                if (!lane.scheduled && lane.items.isEmpty()) it.remove();
            }
        }
    }

    /** Consumer thread: pauses fetching while too much is taken and unfinished, resumes below half of it. */
    private void applyBackPressure() {
        int n = inFlight.get();
        if (!paused && n >= MAX_IN_FLIGHT) {
            consumer.pause(consumer.assignment());
            paused = true;
        } else if (paused && n < MAX_IN_FLIGHT / 2) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, String field) {
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(config.deadLetterTopic(), r.key(), r.value());
        dead.headers().add(new RecordHeader(DeadLetterHeaders.REASON, utf8(reason)));
        if (field != null) dead.headers().add(new RecordHeader(DeadLetterHeaders.FIELD, utf8(field)));
        dead.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_TOPIC, utf8(r.topic())));
        dead.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_PARTITION, utf8(Integer.toString(r.partition()))));
        dead.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_OFFSET, utf8(Long.toString(r.offset()))));
        dead.headers().add(new RecordHeader(DeadLetterHeaders.NODE_GROUP, utf8(settings.groupId())));
        log.warn("dead-lettering {}/{}@{}: {}", r.topic(), r.partition(), r.offset(), reason);
        return dead;
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
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, PARTITION_FETCH_BYTES);
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
