package dev.form.core.auth;

import dev.form.core.api.QueuedRequest;
import dev.form.core.keys.Credentials;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;

/** Client side of the protocol: signs a request for direct sending (headers) or for a queue. */
public final class RequestSigner {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestSigner() {
    }

    /**
     * Signs with a fresh random nonce, expiring {@code ttl} from now (whole seconds).
     *
     * @param target the raw path and query exactly as they will be sent, e.g. {@code /v1/instances/web-1/resources/d1?wait=true}
     * @param body   the exact body bytes that will be sent; {@code null} or empty for none
     * @throws IllegalArgumentException for an invalid method, target or ttl
     */
    public static SignedHeaders sign(Credentials credentials, String method, String target, byte[] body, Duration ttl) {
        return sign(credentials, method, target, body, Clock.systemUTC(), ttl);
    }

    /** As {@link #sign(Credentials, String, String, byte[], Duration)}, reading "now" from {@code clock}. */
    public static SignedHeaders sign(Credentials credentials, String method, String target, byte[] body, Clock clock,
                                     Duration ttl) {
        return sign(credentials, method, target, body, newNonce(), expiry(clock, ttl));
    }

    /** Signs with the given nonce and expiry (unix seconds): deterministic, for tests, documentation and retries. */
    public static SignedHeaders sign(Credentials credentials, String method, String target, byte[] body,
                                     String nonce, long expires) {
        CanonicalRequest canonical = CanonicalRequest.of(method, target, body, nonce, expires);
        return new SignedHeaders(nonce, expires, credentials.signHex(canonical.bytes()), credentials.address());
    }

    /**
     * A request for {@code POST /v1/queue} or the Kafka topic, signed exactly like a direct call.
     *
     * @param instance the instance id (or name, on the embedded queue) the request addresses
     */
    public static QueuedRequest signQueued(Credentials credentials, String instance, String method, String target,
                                           byte[] body, Duration ttl) {
        SignedHeaders h = sign(credentials, method, target, body, ttl);
        byte[] exact = body == null ? new byte[0] : body;
        return new QueuedRequest(instance, method, target, Base64.getEncoder().encodeToString(exact),
                h.nonce(), h.expires(), h.signature(), h.address());
    }

    /** 128 random bits as 32 lower-case hex digits. */
    public static String newNonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static long expiry(Clock clock, Duration ttl) {
        if (ttl == null || ttl.toSeconds() < 1) {
            throw new IllegalArgumentException("signature lifetime (ttl) must be at least one second");
        }
        return clock.instant().getEpochSecond() + ttl.toSeconds();
    }
}
