package dev.form.core.auth;

import dev.form.core.model.AccessLevel;

/** A correctly signed caller lacks the access level an operation needs (HTTP 403 forbidden). */
public class PermissionDeniedException extends RuntimeException {
    private final Operation operation;
    private final AccessLevel held;

    public PermissionDeniedException(Operation operation, AccessLevel held, String message) {
        super(message);
        this.operation = operation;
        this.held = held;
    }

    public Operation operation() {
        return operation;
    }

    /** The caller's level on the instance, or {@code null} when it has none. */
    public AccessLevel held() {
        return held;
    }
}
