package dev.form.core.auth;

import dev.form.core.api.QueuedRequest;
import dev.form.core.auth.AuthenticationException.Reason;
import dev.form.core.keys.Addresses;
import dev.form.core.keys.Secp256k1Signature;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Server side of the protocol: rebuilds the canonical text from what was actually received, checks the
 * expiry window, and recovers the signer's address. Replay (nonce reuse) is the service's business: it
 * records {@link VerifiedRequest#nonce()} durably until {@link VerifiedRequest#expires()}.
 * <p>
 * Whatever the input, the only exception thrown is {@link AuthenticationException}. Thread-safe.
 */
public final class RequestVerifier {
    /** Default maximum lifetime of a directly sent request. */
    public static final Duration DIRECT_MAX_FUTURE_SKEW = Duration.ofMinutes(5);
    /** Default maximum lifetime of a queued request (it may wait in the queue). */
    public static final Duration QUEUED_MAX_FUTURE_SKEW = Duration.ofHours(24);

    /** Shared by every verifier of the process: the queue's door and the dispatcher see the same requests. */
    private static final RecoveredSigners RECOVERED = new RecoveredSigners();

    private final Clock clock;
    private final long maxFutureSeconds;

    /**
     * @param maxFutureSkew how far in the future an expiry may lie: a request expiring later is refused
     *                      (too_far_in_future), so that a signature cannot stay valid indefinitely
     */
    public RequestVerifier(Clock clock, Duration maxFutureSkew) {
        if (clock == null) throw new IllegalArgumentException("clock is required");
        if (maxFutureSkew == null || maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException("maxFutureSkew must be zero or positive");
        }
        this.clock = clock;
        this.maxFutureSeconds = maxFutureSkew.toSeconds();
    }

    public Duration maxFutureSkew() {
        return Duration.ofSeconds(maxFutureSeconds);
    }

    /**
     * @param method  the HTTP method as received
     * @param target  the raw request target (path and query) as received, not decoded or normalised
     * @param body    the exact body bytes received ({@code null} = empty)
     * @throws AuthenticationException saying which rule failed
     */
    public VerifiedRequest verify(String method, String target, byte[] body, SignedHeaders headers) {
        try {
            return verifyChecked(method, target, body, headers);
        } catch (AuthenticationException e) {
            throw e;
        } catch (RuntimeException e) {
            // Defensive: no input may surface as anything but a 401; the cause is not the caller's business.
            throw new AuthenticationException(Reason.BAD_SIGNATURE, "the signature could not be verified");
        }
    }

    /** Verifies a queued request exactly as a direct call with the same fields. */
    public VerifiedRequest verify(QueuedRequest request) {
        if (request == null) throw new AuthenticationException(Reason.MISSING, "queued request is empty");
        byte[] body;
        try {
            body = request.bodyBase64() == null ? new byte[0] : Base64.getDecoder().decode(request.bodyBase64());
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException(Reason.MALFORMED, "queued request's bodyBase64 is not valid base64");
        }
        if (request.nonce() == null || request.signature() == null) {
            throw new AuthenticationException(Reason.MISSING, "queued request lacks its "
                    + (request.nonce() == null ? "nonce" : "signature"));
        }
        return verify(request.method(), request.target(), body,
                new SignedHeaders(request.nonce(), request.expires(), request.signature(), request.address()));
    }

    private VerifiedRequest verifyChecked(String method, String target, byte[] body, SignedHeaders headers) {
        if (headers == null || headers.nonce() == null || headers.signature() == null) {
            throw new AuthenticationException(Reason.MISSING, "request is not signed: missing "
                    + (headers == null || headers.nonce() == null ? SignedHeaders.NONCE : SignedHeaders.SIGNATURE));
        }
        if (!CanonicalRequest.NONCE.matcher(headers.nonce()).matches()) {
            throw new AuthenticationException(Reason.MALFORMED,
                    SignedHeaders.NONCE + " must be 32 to 128 lower-case hex digits (at least 128 random bits)");
        }
        if (headers.expires() < 0) {
            throw new AuthenticationException(Reason.MALFORMED, SignedHeaders.EXPIRES + " must not be negative");
        }
        Secp256k1Signature signature = parseSignature(headers.signature());
        String claimed = null;
        if (headers.address() != null) {
            try {
                claimed = Addresses.parse(headers.address());
            } catch (IllegalArgumentException e) {
                throw new AuthenticationException(Reason.MALFORMED, SignedHeaders.ADDRESS + ": " + e.getMessage());
            }
        }
        String bodySha256 = CanonicalRequest.sha256Hex(body);
        CanonicalRequest canonical;
        try {
            canonical = new CanonicalRequest(method, target, bodySha256, headers.nonce(), headers.expires());
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException(Reason.MALFORMED, e.getMessage());
        }

        long now = clock.instant().getEpochSecond();
        if (now > headers.expires()) {
            throw new AuthenticationException(Reason.EXPIRED, "request expired at " + Instant.ofEpochSecond(headers.expires())
                    + " (" + (now - headers.expires()) + " s ago); sign it again with a later " + SignedHeaders.EXPIRES);
        }
        if (headers.expires() - now > maxFutureSeconds) {
            throw new AuthenticationException(Reason.TOO_FAR_IN_FUTURE, SignedHeaders.EXPIRES + " lies "
                    + (headers.expires() - now) + " s in the future; at most " + maxFutureSeconds
                    + " s is accepted here (check the clock, or sign with a shorter lifetime)");
        }

        Optional<String> recovered = RECOVERED.recover(canonical.bytes(), headers.signature(), signature);
        if (recovered.isEmpty()) {
            throw new AuthenticationException(Reason.BAD_SIGNATURE, "the signature does not verify (no public key can be recovered from it)");
        }
        if (claimed != null && !claimed.equals(recovered.get())) {
            throw new AuthenticationException(Reason.BAD_SIGNATURE, "the signature was not made by " + claimed
                    + " for this request: the method, target, body, nonce or expiry differ from what was signed,"
                    + " or another key signed it");
        }
        return new VerifiedRequest(recovered.get(), headers.nonce(), Instant.ofEpochSecond(headers.expires()), bodySha256);
    }

    private static Secp256k1Signature parseSignature(String value) {
        if (value.length() != 132 || !value.startsWith("0x")) {
            throw new AuthenticationException(Reason.MALFORMED,
                    SignedHeaders.SIGNATURE + " must be 0x followed by 130 hex digits (65 bytes: r, s, v)");
        }
        byte[] raw;
        try {
            raw = HexFormat.of().parseHex(value, 2, value.length());
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException(Reason.MALFORMED,
                    SignedHeaders.SIGNATURE + " must be 0x followed by 130 hex digits (65 bytes: r, s, v)");
        }
        try {
            return Secp256k1Signature.fromBytes(raw);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException(Reason.MALFORMED, SignedHeaders.SIGNATURE + ": " + e.getMessage());
        }
    }
}
