package dev.form.queue;

import java.util.Locale;

/** Which queue carries {@code --queue} requests: the service's own durable table, or Apache Kafka. */
public enum QueueKind {
    /** The default: {@code POST /v1/queue} on the service, stored in its registry. */
    EMBEDDED("embedded"),
    /** A Kafka request topic that every node of a fleet consumes. */
    KAFKA("kafka");

    private final String wire;

    QueueKind(String wire) {
        this.wire = wire;
    }

    /** The name used in configuration files. */
    public String wire() {
        return wire;
    }

    /** Parses a configuration value; the error names the accepted values. */
    public static QueueKind fromWire(String value) {
        if (value == null || value.isBlank()) return EMBEDDED;
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (QueueKind k : values()) if (k.wire.equals(v)) return k;
        throw new IllegalArgumentException("queue kind must be \"embedded\" or \"kafka\", not \"" + value + "\"");
    }
}
