package dev.form.hypervisor.cloudhypervisor;

/**
 * A device or VM configuration breaks a rule of Cloud Hypervisor's (or of this driver's), caught
 * before anything was sent. Names the field and the rule, so the caller can fix the input.
 */
public class InvalidConfigException extends IllegalArgumentException {

    private final String field;

    public InvalidConfigException(String field, String rule) {
        super(field + ": " + rule);
        this.field = field;
    }

    /** The offending field as it appears on the wire, e.g. {@code disk.serial}. */
    public String field() {
        return field;
    }
}
