package dev.form.core.auth;

import dev.form.core.keys.Credentials;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

class RequestVerifierPropertiesTest {
    static final Credentials KEY = Credentials.fromPrivateKeyHex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    static final long NOW = 1_800_000_000L;
    static final RequestVerifier VERIFIER = new RequestVerifier(
            Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), RequestVerifier.DIRECT_MAX_FUTURE_SKEW);
    static final String VALID_SIG = RequestSigner.sign(KEY, "GET", "/v1/instances", null,
            "00112233445566778899aabbccddeeff", NOW + 60).signature();

    /** Garbage of every kind, plus near-misses of the valid shapes. */
    @Provide
    Arbitrary<String> headerValue() {
        Arbitrary<String> hex = Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMinLength(0).ofMaxLength(140);
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.strings().all().ofMaxLength(40),
                hex,
                hex.map(h -> "0x" + h),
                Arbitraries.strings().withChars("0123456789abcdef").ofLength(130).map(h -> "0x" + h),
                Arbitraries.longs().map(l -> Long.toString(l)),
                Arbitraries.of(VALID_SIG, Long.toString(NOW + 60), "00112233445566778899aabbccddeeff", "", " ", "\n",
                        "0x", "-0", "9".repeat(30), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
                Arbitraries.just(null));
    }

    @Provide
    Arbitrary<String> method() {
        return Arbitraries.oneOf(Arbitraries.of("GET", "POST", "DELETE", "PUT", "get"), Arbitraries.strings().ofMaxLength(20),
                Arbitraries.just(null));
    }

    @Provide
    Arbitrary<String> target() {
        return Arbitraries.oneOf(Arbitraries.of("/v1/instances", "/", "/v1/x?y=1"), Arbitraries.strings().ofMaxLength(100).map(s -> "/" + s),
                Arbitraries.strings().ofMaxLength(100), Arbitraries.just(null));
    }

    @Property(tries = 3000)
    void garbageHeadersOnlyEverYieldAuthenticationException(@ForAll("method") String method, @ForAll("target") String target,
                                                            @ForAll byte[] body, @ForAll("headerValue") String nonce,
                                                            @ForAll("headerValue") String expires, @ForAll("headerValue") String signature,
                                                            @ForAll("headerValue") String address) {
        Map<String, String> wire = new HashMap<>();
        wire.put(SignedHeaders.NONCE, nonce);
        wire.put(SignedHeaders.EXPIRES, expires);
        wire.put(SignedHeaders.SIGNATURE, signature);
        wire.put(SignedHeaders.ADDRESS, address);
        try {
            VerifiedRequest v = VERIFIER.verify(method, target, body, SignedHeaders.fromMap(wire::get));
            // Reaching here with random input is only possible for the one valid combination.
            assertThat(v.address()).isEqualTo(KEY.address());
        } catch (AuthenticationException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
        } catch (Throwable t) {
            fail("verifier threw " + t + " for headers " + wire);
        }
    }

    @Property(tries = 300)
    void anyValidRequestVerifiesAndAnyOneByteChangeToItsBodyIsRefused(
            @ForAll("validRequest") Req req, @ForAll @IntRange(min = 0, max = 10_000) int position) {
        SignedHeaders h = RequestSigner.sign(KEY, req.method, req.target, req.body, RequestSigner.newNonce(), NOW + 120);
        assertThat(VERIFIER.verify(req.method, req.target, req.body, h).address()).isEqualTo(KEY.address());
        byte[] changed = req.body.length == 0 ? new byte[]{0} : req.body.clone();
        if (req.body.length > 0) changed[position % changed.length] ^= 0x01;
        try {
            VERIFIER.verify(req.method, req.target, changed, h);
            fail("altered body accepted");
        } catch (AuthenticationException e) {
            assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.BAD_SIGNATURE);
        }
    }

    record Req(String method, String target, byte[] body) {
    }

    @Provide
    Arbitrary<Req> validRequest() {
        Arbitrary<String> method = Arbitraries.of("GET", "POST", "PUT", "DELETE");
        Arbitrary<String> target = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(200).map(s -> "/" + s);
        Arbitrary<byte[]> body = Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(2000),
                Arbitraries.strings().ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8)));
        return Combinators.combine(method, target, body).as(Req::new);
    }
}
