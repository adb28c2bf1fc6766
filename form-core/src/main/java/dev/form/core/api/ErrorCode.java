package dev.form.core.api;

/** The service's stable error codes, each with its HTTP status and the CLI's exit code. */
public enum ErrorCode {
    INVALID_INPUT("invalid_input", 400, 2),
    UNAUTHENTICATED("unauthenticated", 401, 3),
    FORBIDDEN("forbidden", 403, 3),
    POLICY_DENIED("policy_denied", 403, 3),
    NOT_FOUND("not_found", 404, 4),
    CONFLICT("conflict", 409, 5),
    WRONG_STATE("wrong_state", 409, 5),
    NO_FREE_SLOT("no_free_slot", 409, 5),
    HYPERVISOR_REFUSED("hypervisor_refused", 502, 6),
    HYPERVISOR_UNAVAILABLE("hypervisor_unavailable", 503, 1),
    TIMEOUT("timeout", 504, 7),
    INTERNAL("internal", 500, 1);

    private final String wire;
    private final int status;
    private final int exitCode;

    ErrorCode(String wire, int status, int exitCode) {
        this.wire = wire;
        this.status = status;
        this.exitCode = exitCode;
    }

    public String wire() {
        return wire;
    }

    public int httpStatus() {
        return status;
    }

    /** The form CLI's exit code for this error. */
    public int exitCode() {
        return exitCode;
    }

    public static ErrorCode fromWire(String code) {
        for (ErrorCode c : values()) if (c.wire.equals(code)) return c;
        return null;
    }
}
