package dev.form.cli.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The config file's JSON tree bound to {@link CliConfig} field by field. Every command reads the file, and the
 * ObjectMapper that would bind it costs some 30 ms to build; the tree comes from the CLI's own reader. As strict
 * as the mapper was: an unknown field or a value of the wrong JSON type is an error naming the field's path.
 */
final class ConfigTree {
    static final String KNOWN_FIELDS = "hosts, vmm_port, keystore_path, pack_manager_port, formnet_port, queue "
            + "{kind, kafka {bootstrap_servers, request_topic, result_topic, dead_letter_topic}}";

    /** A field that does not fit; {@link #unknown} tells an unknown name from a wrong value. */
    static final class BadField extends RuntimeException {
        final boolean unknown;

        BadField(boolean unknown, String message) {
            super(message, null, false, false);
            this.unknown = unknown;
        }
    }

    private ConfigTree() {
    }

    /** The configuration in {@code root}; an empty file (a missing node) is an empty configuration. */
    static CliConfig bind(JsonNode root) {
        if (root.isMissingNode()) return CliConfig.empty();
        object(root, "", Set.of("hosts", "vmm_port", "pack_manager_port", "formnet_port", "keystore_path", "queue"));
        return new CliConfig(stringList(root, "hosts"), integer(root, "vmm_port"), integer(root, "pack_manager_port"),
                integer(root, "formnet_port"), string(root, "", "keystore_path"), queue(root.get("queue")));
    }

    private static CliConfig.QueueConfig queue(JsonNode node) {
        if (absent(node)) return null;
        object(node, "queue.", Set.of("kind", "kafka"));
        return new CliConfig.QueueConfig(string(node, "queue.", "kind"), kafka(node.get("kafka")));
    }

    private static CliConfig.KafkaConfig kafka(JsonNode node) {
        if (absent(node)) return null;
        String at = "queue.kafka.";
        object(node, at, Set.of("bootstrap_servers", "request_topic", "result_topic", "dead_letter_topic"));
        return new CliConfig.KafkaConfig(string(node, at, "bootstrap_servers"), string(node, at, "request_topic"),
                string(node, at, "result_topic"), string(node, at, "dead_letter_topic"));
    }

    private static void object(JsonNode node, String at, Set<String> known) {
        if (!node.isObject()) {
            throw new BadField(false, (at.isEmpty() ? "the file" : "field \"" + at.substring(0, at.length() - 1) + "\"")
                    + " must hold a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) throw new BadField(true, "unknown field \"" + at + name + "\"");
        }
    }

    private static boolean absent(JsonNode value) {
        return value == null || value.isNull();
    }

    private static String string(JsonNode node, String at, String name) {
        JsonNode v = node.get(name);
        if (absent(v)) return null;
        if (!v.isTextual()) throw wrongType(at + name, "a string");
        return v.textValue();
    }

    private static Integer integer(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (absent(v)) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw wrongType(name, "a whole number");
        return v.intValue();
    }

    private static List<String> stringList(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (absent(v)) return null;
        if (!v.isArray()) throw wrongType(name, "an array of strings");
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode item : v) {
            if (!item.isTextual()) throw wrongType(name, "an array of strings");
            out.add(item.textValue());
        }
        return List.copyOf(out);
    }

    private static BadField wrongType(String path, String expected) {
        return new BadField(false, "field \"" + path + "\" must be " + expected);
    }
}
