package dev.form.vmm.pipeline;

import dev.form.core.auth.RequestSigner;
import dev.form.core.auth.SignedHeaders;
import dev.form.vmm.testing.ServiceHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dispatcher as the queue reaches it (in process, origin QUEUE) next to the HTTP path: the same
 * checks, the longer expiry allowed for queued requests, one nonce space for both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestDispatcherTest {
    private ServiceHarness h;

    @BeforeAll
    void start() throws Exception {
        h = new ServiceHarness(Files.createTempDirectory("form-vmm-dispatch"), Duration.ofSeconds(1)).start();
    }

    @AfterAll
    void stop() {
        h.close();
    }

    private static String nonce() {
        byte[] b = new byte[16];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Test
    void aQueuedRequestMayExpireLaterThanADirectOne() {
        long inAnHour = System.currentTimeMillis() / 1000 + 3600;
        SignedHeaders sig = RequestSigner.sign(h.admin, "GET", "/v1/instances", new byte[0], nonce(), inAnHour);
        ApiResponse direct = h.server().dispatcher().dispatch(new ApiRequest("GET", "/v1/instances", new byte[0], sig, RequestOrigin.DIRECT));
        assertThat(direct.status()).isEqualTo(401);
        assertThat(direct.bodyText()).contains("too_far_in_future");
        ApiResponse queued = h.server().dispatcher().dispatch(new ApiRequest("GET", "/v1/instances", new byte[0], sig, RequestOrigin.QUEUE));
        assertThat(queued.status()).as(queued.bodyText()).isEqualTo(200);

        long inTwoDays = System.currentTimeMillis() / 1000 + 2 * 86400;
        SignedHeaders tooFar = RequestSigner.sign(h.admin, "GET", "/v1/instances", new byte[0], nonce(), inTwoDays);
        assertThat(h.server().dispatcher().dispatch(new ApiRequest("GET", "/v1/instances", new byte[0], tooFar, RequestOrigin.QUEUE)).status())
                .isEqualTo(401);
    }

    @Test
    void oneNonceSpaceForBothOriginsAndTheOutcomeIsKeptForRetries() {
        byte[] body = "{\"name\":\"q1\"}".getBytes();
        SignedHeaders sig = RequestSigner.sign(h.admin, "POST", "/v1/instances", body, Duration.ofMinutes(1));
        ApiResponse first = h.server().dispatcher().dispatch(new ApiRequest("POST", "/v1/instances", body, sig, RequestOrigin.QUEUE));
        assertThat(first.status()).isEqualTo(400); // no kernel: a recorded outcome all the same
        ApiResponse again = h.server().dispatcher().dispatch(new ApiRequest("POST", "/v1/instances", body, sig, RequestOrigin.DIRECT));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(h.server().dispatcher().recordedOutcome(sig.nonce())).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(400));

        ApiResponse other = h.server().dispatcher().dispatch(new ApiRequest("GET", "/v1/instances", new byte[0],
                RequestSigner.sign(h.admin, "GET", "/v1/instances", new byte[0], sig.nonce(), sig.expires()), RequestOrigin.QUEUE));
        assertThat(other.status()).isEqualTo(401);
        assertThat(other.bodyText()).contains("replayed");
    }

    @Test
    void unknownRoutesAndMethodsAre404AndUnsignedRoutesNeedNoHeaders() {
        ApiResponse none = h.server().dispatcher().dispatch(new ApiRequest("GET", "/v1/nothing", new byte[0], null, RequestOrigin.DIRECT));
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.bodyText()).contains("no such route");
        ApiResponse method = h.server().dispatcher().dispatch(new ApiRequest("PATCH", "/v1/instances", new byte[0], null, RequestOrigin.DIRECT));
        assertThat(method.status()).isEqualTo(404);
        assertThat(method.bodyText()).contains("PATCH is not allowed");
        ApiResponse health = h.server().dispatcher().dispatch(new ApiRequest("GET", "/v1/health", new byte[0], null, RequestOrigin.DIRECT));
        assertThat(health.status()).isEqualTo(200);
    }
}
