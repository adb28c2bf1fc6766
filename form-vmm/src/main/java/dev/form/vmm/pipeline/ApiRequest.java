package dev.form.vmm.pipeline;

import dev.form.core.auth.AuthenticationException;
import dev.form.core.auth.SignedHeaders;

import java.util.Objects;
import java.util.function.Function;

/**
 * One request as the service received it, whichever way it came.
 *
 * @param target        the raw request target (path and query) exactly as sent and signed
 * @param body          the exact body bytes (empty for none)
 * @param headers       the signature fields, or null when absent or unreadable
 * @param headerProblem why {@code headers} is null when the caller sent something unreadable; null otherwise
 */
public record ApiRequest(String method, String target, byte[] body, SignedHeaders headers, RequestOrigin origin,
                         AuthenticationException headerProblem) {
    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(origin, "origin");
        body = body == null ? new byte[0] : body;
    }

    public ApiRequest(String method, String target, byte[] body, SignedHeaders headers, RequestOrigin origin) {
        this(method, target, body, headers, origin, null);
    }

    /**
     * Reads the signature headers through {@code headerLookup} (case-insensitive HTTP headers); a
     * missing or malformed header is kept as {@link #headerProblem} and answered 401 on signed routes.
     */
    public static ApiRequest fromHeaders(String method, String target, byte[] body, Function<String, String> headerLookup,
                                         RequestOrigin origin) {
        try {
            return new ApiRequest(method, target, body, SignedHeaders.fromMap(headerLookup), origin, null);
        } catch (AuthenticationException e) {
            return new ApiRequest(method, target, body, null, origin, e);
        }
    }
}
