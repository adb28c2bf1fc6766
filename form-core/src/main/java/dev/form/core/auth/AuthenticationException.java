package dev.form.core.auth;

import java.util.Locale;

/**
 * A request's signature headers were refused. The service answers 401 with {@link #getMessage()}, which says
 * exactly which rule failed; it never contains anything secret. This is the only exception that
 * {@link RequestVerifier} and {@link SignedHeaders#fromMap} throw, whatever the input.
 */
public class AuthenticationException extends RuntimeException {

    public enum Reason {
        /** A signature header is absent. */
        MISSING,
        /** A header does not have the documented shape (including a high-S signature), or the method/target is invalid. */
        MALFORMED,
        /** Well formed, but it does not verify: it was made for another request, or by another key than claimed. */
        BAD_SIGNATURE,
        /** The expiry time has passed. */
        EXPIRED,
        /** The expiry lies further in the future than the verifier allows. */
        TOO_FAR_IN_FUTURE,
        /** The nonce was already used for a different request. Raised by the service's nonce registry, never by {@link RequestVerifier}. */
        REPLAYED;

        /** Lower-case wire name: missing, malformed, bad_signature, expired, too_far_in_future, replayed. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    /** Without a stack trace: it is the caller's mistake, answered with its message, and unauthenticated traffic should be cheap to refuse. */
    public AuthenticationException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
