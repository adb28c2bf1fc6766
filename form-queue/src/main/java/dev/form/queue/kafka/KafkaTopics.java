package dev.form.queue.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates the queue's three topics when they do not exist yet; existing topics are left as they are. */
public final class KafkaTopics {
    private KafkaTopics() {
    }

    /**
     * @param partitions partitions of the request and result topics (instances spread over them; one
     *                   instance's requests always share one partition, keeping their order)
     */
    public static void ensure(KafkaQueueConfig config, int partitions, Duration timeout) {
        if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1");
        int timeoutMs = (int) Math.max(1000, timeout.toMillis());
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs))) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            if (!existing.contains(config.requestTopic())) missing.add(new NewTopic(config.requestTopic(), Optional.of(partitions), Optional.empty()));
            if (!existing.contains(config.resultTopic())) missing.add(new NewTopic(config.resultTopic(), Optional.of(partitions), Optional.empty()));
            if (!existing.contains(config.deadLetterTopic())) missing.add(new NewTopic(config.deadLetterTopic(), Optional.of(1), Optional.empty()));
            if (missing.isEmpty()) return;
            for (var f : admin.createTopics(missing).values().values()) {
                try {
                    f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e; // another node was first
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the queue's Kafka topics", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot create the queue's Kafka topics on " + config.bootstrapServers() + ": " + cause, cause);
        }
    }
}
