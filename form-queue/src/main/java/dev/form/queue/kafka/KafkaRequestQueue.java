package dev.form.queue.kafka;

import dev.form.core.api.QueuedRequest;
import dev.form.queue.QueueException;
import dev.form.queue.QueuedRequestCodec;
import dev.form.queue.RequestQueue;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The CLI's side of the Kafka queue: produces a signed request to the request topic, keyed by its
 * instance id so that one instance's requests share a partition and keep their order. {@code acks=all}
 * with the idempotent producer, so a retried send is neither lost nor duplicated; {@code linger.ms=0}
 * because each request is sent on its own and waited for.
 */
public final class KafkaRequestQueue implements RequestQueue {
    private final KafkaQueueConfig config;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Duration deliveryTimeout;

    public KafkaRequestQueue(KafkaQueueConfig config, Duration deliveryTimeout) {
        this.config = config;
        this.deliveryTimeout = deliveryTimeout;
        this.producer = new KafkaProducer<>(producerProperties(config.bootstrapServers(), deliveryTimeout, "form-cli"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    public KafkaRequestQueue(KafkaQueueConfig config) {
        this(config, Duration.ofSeconds(30));
    }

    /** Validates, sends and waits for the brokers' acknowledgement; returns the request id (the nonce). */
    @Override
    public String submit(QueuedRequest request) {
        Future<RecordMetadata> sent = submitAsync(request);
        try {
            sent.get(deliveryTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            return request.nonce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueueException("interrupted while sending request " + request.nonce() + " to Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new QueueException("Kafka at " + config.bootstrapServers() + " did not take request " + request.nonce()
                    + " on topic " + config.requestTopic() + " within " + deliveryTimeout.toSeconds() + " s: " + cause.getMessage(), cause);
        }
    }

    /**
     * Validates and sends without waiting (for callers that pipeline many requests, like the benchmark).
     *
     * @throws dev.form.queue.MalformedRequestException before anything is sent
     */
    public Future<RecordMetadata> submitAsync(QueuedRequest request) {
        QueuedRequestCodec.validate(request);
        byte[] key = request.instance().getBytes(StandardCharsets.UTF_8);
        return producer.send(new ProducerRecord<>(config.requestTopic(), key, QueuedRequestCodec.encode(request)));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    static Map<String, Object> producerProperties(String bootstrapServers, Duration deliveryTimeout, String clientIdPrefix) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        int delivery = (int) Math.max(deliveryTimeout.toMillis(), 1_000);
        int request = Math.min(10_000, delivery);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, request);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, delivery);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        return p;
    }
}
