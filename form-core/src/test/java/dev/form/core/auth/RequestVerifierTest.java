package dev.form.core.auth;

import dev.form.core.api.QueuedRequest;
import dev.form.core.auth.AuthenticationException.Reason;
import dev.form.core.keys.Credentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.web3j.crypto.Sign;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestVerifierTest {
    static final Credentials KEY = Credentials.fromPrivateKeyHex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    static final String ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    static final long NOW = 1_800_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    static final RequestVerifier DIRECT = new RequestVerifier(CLOCK, RequestVerifier.DIRECT_MAX_FUTURE_SKEW);
    static final String NONCE = "00112233445566778899aabbccddeeff";
    static final String TARGET = "/v1/instances/web-1/disks";
    static final byte[] BODY = "{\"path\":\"/srv/images/data.img\",\"readonly\":false}".getBytes(StandardCharsets.UTF_8);

    static SignedHeaders signed(long expires) {
        return RequestSigner.sign(KEY, "POST", TARGET, BODY, NONCE, expires);
    }

    static Reason reasonOf(Runnable r) {
        try {
            r.run();
        } catch (AuthenticationException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.reason();
        }
        throw new AssertionError("expected an AuthenticationException");
    }

    @Test
    void acceptsAndReportsTheSigner() {
        VerifiedRequest v = DIRECT.verify("POST", TARGET, BODY, signed(NOW + 60));
        assertThat(v).isEqualTo(new VerifiedRequest(ADDRESS, NONCE, Instant.ofEpochSecond(NOW + 60),
                CanonicalRequest.sha256Hex(BODY)));
    }

    @Test
    void headersTravelThroughAMapCaseInsensitively() {
        Map<String, String> wire = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        signed(NOW + 60).asMap().forEach((k, v) -> wire.put(k.toLowerCase(Locale.ROOT), " " + v + " "));
        assertThat(signed(NOW + 60).asMap()).containsOnlyKeys("Form-Nonce", "Form-Expires", "Form-Signature", "Form-Address");
        assertThat(DIRECT.verify("POST", TARGET, BODY, SignedHeaders.fromMap(wire::get)).address()).isEqualTo(ADDRESS);
    }

    @Test
    void missingHeadersAreAllNamed() {
        Map<String, String> wire = new HashMap<>(signed(NOW + 60).asMap());
        wire.remove("Form-Nonce");
        wire.put("Form-Signature", "  ");
        assertThatThrownBy(() -> SignedHeaders.fromMap(wire::get))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MISSING);
                    assertThat(e.reason().wire()).isEqualTo("missing");
                    assertThat(e.getMessage()).contains("Form-Nonce, Form-Signature").doesNotContain("Form-Expires,");
                });
        assertThat(reasonOf(() -> SignedHeaders.fromMap(h -> null))).isEqualTo(Reason.MISSING);
        assertThat(reasonOf(() -> DIRECT.verify("GET", "/v1/instances", null, null))).isEqualTo(Reason.MISSING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "+5", "1.5", "0123", "abc", "1800000060000000000", "1e9"})
    void malformedExpiry(String expires) {
        Map<String, String> wire = new HashMap<>(signed(NOW + 60).asMap());
        wire.put("Form-Expires", expires);
        assertThatThrownBy(() -> SignedHeaders.fromMap(wire::get))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
                    assertThat(e.getMessage()).contains("Form-Expires");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"00112233445566778899AABBCCDDEEFF", "0011223344556677", "zz112233445566778899aabbccddeeff", ""})
    void malformedNonce(String nonce) {
        SignedHeaders h = signed(NOW + 60);
        assertThatThrownBy(() -> DIRECT.verify("POST", TARGET, BODY, new SignedHeaders(nonce, h.expires(), h.signature())))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
                    assertThat(e.getMessage()).contains("Form-Nonce").contains("lower-case hex");
                });
    }

    @Test
    void malformedSignatures() {
        SignedHeaders h = signed(NOW + 60);
        String hex = h.signature().substring(2);
        String[] bad = {hex, "0x" + hex.substring(2), "0x" + hex + "00", "0x" + "zz" + hex.substring(2),
                "0x" + hex.substring(0, 128) + "1d", "0x" + hex.substring(0, 128) + "02", "0x" + "00".repeat(32) + hex.substring(64)};
        for (String s : bad) {
            assertThat(reasonOf(() -> DIRECT.verify("POST", TARGET, BODY, new SignedHeaders(NONCE, h.expires(), s))))
                    .as(s).isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void vAsZeroOrOneAndUpperCaseHexAreAccepted() {
        SignedHeaders h = signed(NOW + 60);
        int v = Integer.parseInt(h.signature().substring(130), 16);
        String zeroOne = h.signature().substring(0, 130) + String.format("%02x", v - 27);
        assertThat(DIRECT.verify("POST", TARGET, BODY, new SignedHeaders(NONCE, h.expires(), zeroOne)).address()).isEqualTo(ADDRESS);
        String upper = "0x" + h.signature().substring(2).toUpperCase(Locale.ROOT);
        assertThat(DIRECT.verify("POST", TARGET, BODY, new SignedHeaders(NONCE, h.expires(), upper)).address()).isEqualTo(ADDRESS);
    }

    @Test
    void highSTwinOfAValidSignatureIsRejectedAsMalformed() {
        SignedHeaders h = signed(NOW + 60);
        byte[] sig = HexFormat.of().parseHex(h.signature().substring(2));
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
        BigInteger highS = Sign.CURVE_PARAMS.getN().subtract(s);
        byte[] highBytes = highS.toByteArray();
        byte[] twin = sig.clone();
        java.util.Arrays.fill(twin, 32, 64, (byte) 0);
        System.arraycopy(highBytes, Math.max(0, highBytes.length - 32), twin, 64 - Math.min(32, highBytes.length), Math.min(32, highBytes.length));
        twin[64] = (byte) (sig[64] == 27 ? 28 : 27);  // (r, n-s) verifies with the other recovery id
        String twinHex = "0x" + HexFormat.of().formatHex(twin);
        assertThatThrownBy(() -> DIRECT.verify("POST", TARGET, BODY, new SignedHeaders(NONCE, h.expires(), twinHex)))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
                    assertThat(e.getMessage()).contains("high-S");
                });
    }

    @Test
    void expiryWindow() {
        assertThat(DIRECT.verify("POST", TARGET, BODY, signed(NOW)).address()).isEqualTo(ADDRESS);
        assertThatThrownBy(() -> DIRECT.verify("POST", TARGET, BODY, signed(NOW - 1)))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.EXPIRED);
                    assertThat(e.getMessage()).contains("expired").contains("1 s ago");
                });
        assertThat(DIRECT.verify("POST", TARGET, BODY, signed(NOW + 300)).address()).isEqualTo(ADDRESS);
        assertThatThrownBy(() -> DIRECT.verify("POST", TARGET, BODY, signed(NOW + 301)))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TOO_FAR_IN_FUTURE);
                    assertThat(e.getMessage()).contains("301 s in the future").contains("at most 300 s");
                });
        RequestVerifier queued = new RequestVerifier(CLOCK, RequestVerifier.QUEUED_MAX_FUTURE_SKEW);
        assertThat(queued.verify("POST", TARGET, BODY, signed(NOW + 23 * 3600)).address()).isEqualTo(ADDRESS);
        assertThat(reasonOf(() -> queued.verify("POST", TARGET, BODY, signed(NOW + 24 * 3600 + 1)))).isEqualTo(Reason.TOO_FAR_IN_FUTURE);
    }

    @Test
    void alteredRequestsAreBadSignaturesWhenTheAddressIsClaimed() {
        SignedHeaders h = signed(NOW + 60);
        assertThat(reasonOf(() -> DIRECT.verify("PUT", TARGET, BODY, h))).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(() -> DIRECT.verify("POST", TARGET + "?x=1", BODY, h))).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(() -> DIRECT.verify("POST", "/v1/instances/web-2/disks", BODY, h))).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(() -> DIRECT.verify("POST", TARGET, "{}".getBytes(StandardCharsets.UTF_8), h))).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(() -> DIRECT.verify("POST", TARGET, BODY,
                new SignedHeaders(NONCE.replace('0', '1'), h.expires(), h.signature(), h.address())))).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(() -> DIRECT.verify("POST", TARGET, BODY,
                new SignedHeaders(NONCE, h.expires() - 1, h.signature(), h.address())))).isEqualTo(Reason.BAD_SIGNATURE);
        Credentials other = Credentials.fromPrivateKeyHex("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
        SignedHeaders byOther = RequestSigner.sign(other, "POST", TARGET, BODY, NONCE, NOW + 60);
        assertThatThrownBy(() -> DIRECT.verify("POST", TARGET, BODY,
                new SignedHeaders(NONCE, byOther.expires(), byOther.signature(), ADDRESS)))
                .hasMessageContaining("was not made by " + ADDRESS);
        assertThat(reasonOf(() -> DIRECT.verify("POST", TARGET, BODY,
                new SignedHeaders(NONCE, h.expires(), h.signature(), "0x1234")))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void withoutAClaimedAddressAnAlteredRequestRecoversSomeoneElse() {
        SignedHeaders h = signed(NOW + 60);
        SignedHeaders bare = new SignedHeaders(h.nonce(), h.expires(), h.signature());
        assertThat(DIRECT.verify("POST", TARGET, BODY, bare).address()).isEqualTo(ADDRESS);
        assertThat(DIRECT.verify("POST", TARGET, "{}".getBytes(StandardCharsets.UTF_8), bare).address()).isNotEqualTo(ADDRESS);
    }

    @Test
    void aRequestVerifiedAgainIsJudgedAgainInFull() {
        // the second verification of the same request reuses the recovered signer (a queued request is
        // verified at the door and when it runs); nothing else about the request is taken on trust
        SignedHeaders h = signed(NOW + 60);
        assertThat(DIRECT.verify("POST", TARGET, BODY, h).address()).isEqualTo(ADDRESS);
        assertThat(DIRECT.verify("POST", TARGET, BODY, h).address()).isEqualTo(ADDRESS);
        assertThat(reasonOf(() -> DIRECT.verify("POST", TARGET, "{}".getBytes(StandardCharsets.UTF_8), h))).isEqualTo(Reason.BAD_SIGNATURE);
        SignedHeaders bare = new SignedHeaders(h.nonce(), h.expires(), h.signature());
        assertThat(DIRECT.verify("POST", TARGET + "?x=1", BODY, bare).address()).isNotEqualTo(ADDRESS);
        RequestVerifier later = new RequestVerifier(Clock.fixed(Instant.ofEpochSecond(NOW + 61), ZoneOffset.UTC),
                RequestVerifier.DIRECT_MAX_FUTURE_SKEW);
        assertThat(reasonOf(() -> later.verify("POST", TARGET, BODY, h))).isEqualTo(Reason.EXPIRED);
        Credentials other = Credentials.fromPrivateKeyHex("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
        assertThat(reasonOf(() -> DIRECT.verify("POST", TARGET, BODY,
                new SignedHeaders(NONCE, h.expires(), h.signature(), other.address())))).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void invalidMethodOrTargetAsReceivedIsMalformed() {
        SignedHeaders h = signed(NOW + 60);
        assertThat(reasonOf(() -> DIRECT.verify("post", TARGET, BODY, h))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(() -> DIRECT.verify("POST", "v1/x", BODY, h))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(() -> DIRECT.verify(null, null, null, h))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void anRThatIsNoCurvePointIsABadSignature() {
        SignedHeaders h = signed(NOW + 60);
        String tail = h.signature().substring(66);
        int found = 0;
        for (int r = 1; r < 64 && found < 3; r++) {
            String sig = "0x" + String.format("%064x", r) + tail;
            try {
                DIRECT.verify("POST", TARGET, BODY, new SignedHeaders(NONCE, h.expires(), sig));
            } catch (AuthenticationException e) {
                assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
                if (e.getMessage().contains("no public key can be recovered")) found++;
            }
        }
        assertThat(found).isEqualTo(3);
    }

    @Test
    void queuedRequestsVerifyLikeDirectOnes() {
        QueuedRequest q = RequestSigner.signQueued(KEY, "inst-1", "POST", TARGET, BODY, Duration.ofHours(2));
        RequestVerifier queued = new RequestVerifier(Clock.systemUTC(), RequestVerifier.QUEUED_MAX_FUTURE_SKEW);
        VerifiedRequest v = queued.verify(q);
        assertThat(v.address()).isEqualTo(ADDRESS);
        assertThat(v.nonce()).isEqualTo(q.nonce());
        assertThat(reasonOf(() -> new RequestVerifier(Clock.systemUTC(), RequestVerifier.DIRECT_MAX_FUTURE_SKEW).verify(q)))
                .isEqualTo(Reason.TOO_FAR_IN_FUTURE);
        QueuedRequest badBody = new QueuedRequest(q.instance(), q.method(), q.target(), "%%%", q.nonce(), q.expires(), q.signature());
        assertThat(reasonOf(() -> queued.verify(badBody))).isEqualTo(Reason.MALFORMED);
        QueuedRequest otherBody = new QueuedRequest(q.instance(), q.method(), q.target(), "e30=", q.nonce(), q.expires(), q.signature());
        assertThat(queued.verify(otherBody).address()).isNotEqualTo(ADDRESS);
    }

    @Test
    void signerRefusesWhatTheVerifierWouldRefuse() {
        assertThatThrownBy(() -> RequestSigner.sign(KEY, "POST", TARGET, BODY, Duration.ZERO)).hasMessageContaining("ttl");
        assertThatThrownBy(() -> RequestSigner.sign(KEY, "POST", "no-slash", BODY, Duration.ofMinutes(1))).hasMessageContaining("target");
        assertThat(RequestSigner.newNonce()).matches("[0-9a-f]{32}").isNotEqualTo(RequestSigner.newNonce());
    }
}
