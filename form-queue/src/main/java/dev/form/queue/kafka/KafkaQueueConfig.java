package dev.form.queue.kafka;

import java.util.regex.Pattern;

/**
 * Where the Kafka queue lives: the same keys in the CLI's and the service's configuration
 * ({@code queue.kafka.bootstrap_servers}, {@code request_topic}, {@code result_topic}, {@code dead_letter_topic}).
 * The consumer group id is per node and lives with the service ({@link KafkaRequestConsumer}).
 */
public record KafkaQueueConfig(String bootstrapServers, String requestTopic, String resultTopic, String deadLetterTopic) {
    public static final String DEFAULT_REQUEST_TOPIC = "form.requests";
    public static final String DEFAULT_RESULT_TOPIC = "form.results";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "form.dead-letters";
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public KafkaQueueConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("queue.kafka.bootstrap_servers is required when the queue kind is kafka (host:port[,host:port...])");
        }
        requestTopic = topic("request_topic", requestTopic, DEFAULT_REQUEST_TOPIC);
        resultTopic = topic("result_topic", resultTopic, DEFAULT_RESULT_TOPIC);
        deadLetterTopic = topic("dead_letter_topic", deadLetterTopic, DEFAULT_DEAD_LETTER_TOPIC);
        if (requestTopic.equals(resultTopic) || requestTopic.equals(deadLetterTopic) || resultTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException("queue.kafka request_topic, result_topic and dead_letter_topic must be three different topics");
        }
    }

    /** The default topic names on the given brokers. */
    public static KafkaQueueConfig withDefaults(String bootstrapServers) {
        return new KafkaQueueConfig(bootstrapServers, null, null, null);
    }

    private static String topic(String key, String value, String fallback) {
        if (value == null || value.isBlank()) return fallback;
        if (!TOPIC.matcher(value).matches()) {
            throw new IllegalArgumentException("queue.kafka." + key + " must be a Kafka topic name (letters, digits, . _ -; at most 249), not \"" + value + "\"");
        }
        return value;
    }
}
