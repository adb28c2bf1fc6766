package dev.form.hypervisor;

import java.util.List;

/**
 * A hypervisor refused or failed a call. Keeps the hypervisor's whole message chain (top to root
 * cause) so the service can hand it to the user verbatim.
 */
public class HypervisorException extends Exception {

    public enum Kind {
        /** The hypervisor understood and refused (bad config, device error, lock conflict...). */
        REFUSED,
        /** The VM or the device id does not exist there. */
        NOT_FOUND,
        /** Duplicate id or path, or no free hot-plug slot. */
        CONFLICT,
        /** The VM is not in a state that allows the call. */
        WRONG_STATE,
        /** No process answers on the control socket, or the connection broke. */
        UNAVAILABLE,
        /** The call did not complete within its time limit. */
        TIMEOUT,
        /** The request never reached a meaningful answer: a protocol error on our side or theirs. */
        PROTOCOL,
        /**
         * The driver refused the configuration before sending anything: a field breaks one of the
         * hypervisor's rules for this VM (the message names the field and the rule). Nothing changed.
         */
        INVALID
    }

    private final Kind kind;
    private final int status;
    private final List<String> chain;

    public HypervisorException(Kind kind, int status, List<String> chain, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.chain = List.copyOf(chain);
    }

    public HypervisorException(Kind kind, String message) {
        this(kind, 0, List.of(message), message, null);
    }

    public HypervisorException(Kind kind, String message, Throwable cause) {
        this(kind, 0, List.of(message), message, cause);
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status the hypervisor answered, or 0 when there was none (QMP, I/O failure). */
    public int status() {
        return status;
    }

    /** The hypervisor's own messages, top to root cause. */
    public List<String> chain() {
        return chain;
    }
}
