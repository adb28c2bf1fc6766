package dev.form.hypervisor.qemu.qmp;

import dev.form.hypervisor.HypervisorException;

import java.util.List;
import java.util.Locale;

/**
 * QEMU answered a QMP command with an error. Keeps QEMU's error class and description; the kind
 * is derived from them so the service can map it to its own error codes.
 */
public class QmpException extends HypervisorException {

    private final String command;
    private final String errorClass;
    private final String description;

    public QmpException(String command, String errorClass, String description) {
        super(kindOf(errorClass, description), 0, List.of(description, "QMP " + command + " failed with " + errorClass),
                "QEMU refused " + command + ": " + description + " (" + errorClass + ")", null);
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    public String command() {
        return command;
    }

    /** QEMU's error class: GenericError, DeviceNotFound, CommandNotFound, DeviceNotActive, KVMMissingCap. */
    public String errorClass() {
        return errorClass;
    }

    /** QEMU's human-readable description, verbatim. */
    public String description() {
        return description;
    }

    static Kind kindOf(String errorClass, String description) {
        String d = description == null ? "" : description.toLowerCase(Locale.ROOT);
        return switch (errorClass == null ? "" : errorClass) {
            case "DeviceNotFound" -> Kind.NOT_FOUND;
            case "CommandNotFound" -> Kind.PROTOCOL;
            case "DeviceNotActive", "KVMMissingCap" -> Kind.REFUSED;
            default -> {
                if (d.contains("duplicate") || d.contains("already exists") || d.contains("already in use"))
                    yield Kind.CONFLICT;
                if (d.contains("not found") || d.contains("cannot find") || d.contains("failed to find"))
                    yield Kind.NOT_FOUND;
                yield Kind.REFUSED;
            }
        };
    }
}
