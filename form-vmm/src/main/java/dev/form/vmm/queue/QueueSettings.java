package dev.form.vmm.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.queue.QueueKind;
import dev.form.queue.kafka.KafkaQueueConfig;
import dev.form.queue.kafka.KafkaRequestConsumer;
import dev.form.vmm.config.ConfigException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;

/**
 * The "queue" object of the service's config file. The embedded queue ({@code POST /v1/queue}) always
 * runs; {@code "kind": "kafka"} adds this node's consumer of the Kafka request topic. The Kafka keys are
 * the CLI config's, plus the node's own group id:
 * <pre>
 * "queue": {
 *   "kind": "kafka",                 // or "embedded" (the default)
 *   "workers": 32,                   // instances processed in parallel
 *   "kafka": {
 *     "bootstrap_servers": "host1:9092,host2:9092",
 *     "request_topic": "form.requests", "result_topic": "form.results", "dead_letter_topic": "form.dead-letters",
 *     "group_id": "form-node-host1",   // one per node (default: form-node-HOSTNAME)
 *     "partitions": 8                  // when this node creates the topics
 *   }
 * }
 * </pre>
 */
record QueueSettings(QueueKind kind, int workers, KafkaQueueConfig kafka, KafkaRequestConsumer.Settings consumer) {
    /**
     * Instances processed in parallel unless the config says otherwise. A queued request spends most of
     * its time waiting (the registry's fsync, the hypervisor, the guest letting go of a device), so the
     * workers are many more than the cores; each applies one instance's requests in order.
     */
    static final int DEFAULT_WORKERS = KafkaRequestConsumer.Settings.DEFAULT_WORKERS;
    private static final Set<String> TOP = Set.of("kind", "workers", "kafka");
    private static final Set<String> KAFKA = Set.of("bootstrap_servers", "request_topic", "result_topic", "dead_letter_topic", "group_id", "partitions");

    static QueueSettings from(JsonNode node) {
        if (node == null || node.isNull()) return new QueueSettings(QueueKind.EMBEDDED, DEFAULT_WORKERS, null, null);
        if (!node.isObject()) throw new ConfigException("config file: 'queue' must be an object");
        unknown(node, TOP, "queue");
        QueueKind kind;
        try {
            kind = QueueKind.fromWire(text(node, "kind", "queue"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config file: queue.kind: " + e.getMessage());
        }
        int workers = integer(node, "workers", "queue", DEFAULT_WORKERS);
        if (workers < 1 || workers > 256) throw new ConfigException("config file: queue.workers must be 1 to 256");
        if (kind == QueueKind.EMBEDDED) return new QueueSettings(kind, workers, null, null);

        JsonNode k = node.get("kafka");
        if (k == null || !k.isObject()) {
            throw new ConfigException("config file: queue.kind is kafka but queue.kafka is missing (give at least {\"bootstrap_servers\": \"host:9092\"})");
        }
        unknown(k, KAFKA, "queue.kafka");
        KafkaQueueConfig kafka;
        try {
            kafka = new KafkaQueueConfig(text(k, "bootstrap_servers", "queue.kafka"), text(k, "request_topic", "queue.kafka"),
                    text(k, "result_topic", "queue.kafka"), text(k, "dead_letter_topic", "queue.kafka"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config file: " + e.getMessage());
        }
        String group = text(k, "group_id", "queue.kafka");
        if (group == null) group = "form-node-" + hostName();
        int partitions = integer(k, "partitions", "queue.kafka", 8);
        if (partitions < 1) throw new ConfigException("config file: queue.kafka.partitions must be at least 1");
        KafkaRequestConsumer.Settings consumer = new KafkaRequestConsumer.Settings(group, partitions, workers, 10,
                Duration.ofSeconds(1), Duration.ofMinutes(2), false);
        return new QueueSettings(kind, workers, kafka, consumer);
    }

    private static void unknown(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new ConfigException("config file: unknown field '" + where + "." + f + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new ConfigException("config file: " + where + "." + field + " must be a string");
        return v.asText();
    }

    private static int integer(JsonNode node, String field, String where, int fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new ConfigException("config file: " + where + "." + field + " must be an integer");
        return v.asInt();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
