package dev.form.cli.manage;

import dev.form.cli.CliFailure;
import dev.form.cli.config.CliConfig;
import dev.form.core.api.QueuedRequest;
import dev.form.queue.MalformedRequestException;
import dev.form.queue.QueueException;
import dev.form.queue.kafka.KafkaQueueConfig;
import dev.form.queue.kafka.KafkaRequestQueue;

import java.time.Duration;

/** Produces one signed request to the configured Kafka request topic and waits for the brokers' acknowledgement. */
final class KafkaSubmission {
    private KafkaSubmission() {
    }

    static String submit(CliConfig.QueueConfig queue, QueuedRequest request) {
        CliConfig.KafkaConfig k = queue.kafka();
        if (k == null)
            throw CliFailure.usage("config queue.kind is kafka but queue.kafka is missing",
                    "add \"kafka\": {\"bootstrap_servers\": \"host:9092\"} under \"queue\"");
        KafkaQueueConfig config;
        try {
            config = new KafkaQueueConfig(k.bootstrapServers(), k.requestTopic(), k.resultTopic(), k.deadLetterTopic());
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("config " + e.getMessage(), null);
        }
        try (KafkaRequestQueue producer = new KafkaRequestQueue(config, Duration.ofSeconds(30))) {
            return producer.submit(request);
        } catch (MalformedRequestException e) {
            throw CliFailure.usage("queued request field " + e.field() + ": " + e.getMessage(), null);
        } catch (QueueException e) {
            throw new CliFailure(CliFailure.UNREACHABLE, "Kafka did not take the request: " + e.getMessage(),
                    "check queue.kafka.bootstrap_servers in the config and that the brokers run", "unreachable", e);
        }
    }
}
