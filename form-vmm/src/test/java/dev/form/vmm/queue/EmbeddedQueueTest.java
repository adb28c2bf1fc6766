package dev.form.vmm.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.QueuedRequest;
import dev.form.core.auth.AuthenticationException;
import dev.form.core.auth.RequestSigner;
import dev.form.core.auth.SignedHeaders;
import dev.form.core.keys.Credentials;
import dev.form.vmm.registry.NonceStore;
import dev.form.vmm.testing.OpenApiContract;
import dev.form.vmm.testing.ServiceHarness;
import dev.form.vmm.testing.SignedClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded queue through the real service over HTTP, with the simulator and a real registry.
 * {@code POST /v1/queue} carries no signature of its own: the queued request's signature is what
 * authenticates it, so every submission here is sent without Form-* headers unless a test says otherwise.
 */
class EmbeddedQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    static Path tmp;
    static ServiceHarness h;
    static SignedClient admin;
    static String instanceId;
    static String otherInstanceId;

    @BeforeAll
    static void start() throws Exception {
        h = new ServiceHarness(tmp, Duration.ofSeconds(5)).start();
        admin = h.adminClient();
        SignedClient.Reply created = admin.post("/v1/instances", h.createRequest("web-1"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        instanceId = created.json().get("id").asText();
        SignedClient.Reply other = admin.post("/v1/instances", h.createRequest("web-2"));
        assertThat(other.status()).as(other.toString()).isEqualTo(201);
        otherInstanceId = other.json().get("id").asText();
    }

    @AfterAll
    static void stop() {
        if (h != null) h.close();
    }

    static QueuedRequest addDisk(Credentials key, String instanceRef, String diskId) {
        byte[] body = SignedClient.bytes(Map.of("diskId", diskId, "path", diskId + ".raw", "sizeBytes", 1 << 20));
        return RequestSigner.signQueued(key, instanceRef, "POST", "/v1/instances/" + instanceRef + "/disks", body, Duration.ofMinutes(30));
    }

    /** POST /v1/queue without Form-* headers: the queued request authenticates itself. */
    static SignedClient.Reply submit(SignedClient client, Object queuedRequest) {
        return client.sendSigned("POST", "/v1/queue", SignedClient.bytes(queuedRequest), null);
    }

    static SignedClient.Reply submit(Object queuedRequest) {
        return submit(admin, queuedRequest);
    }

    static JsonNode awaitFinished(SignedClient client, String requestId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            SignedClient.Reply r = client.get("/v1/requests/" + requestId);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            last[0] = r.json();
            String state = last[0].get("state").asText();
            return state.equals("done") || state.equals("failed");
        });
        return last[0];
    }

    @Test
    void acceptsAtOnceAndAppliesEveryRequestOnceInOrder() {
        List<String> ids = new ArrayList<>();
        List<String> disks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String disk = "order" + i;
            QueuedRequest q = addDisk(admin.key(), "web-1", disk);
            SignedClient.Reply accepted = submit(q);
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
            OpenApiContract.check(accepted);
            assertThat(accepted.json().get("requestId").asText()).isEqualTo(q.nonce());
            assertThat(accepted.json().get("state").asText()).isIn("queued", "running");
            assertThat(accepted.json().get("instance").asText()).isEqualTo(instanceId);
            ids.add(q.nonce());
            disks.add(disk);
        }
        for (String id : ids) {
            JsonNode done = awaitFinished(admin, id);
            assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("done");
            assertThat(done.get("status").asInt()).isEqualTo(201);
            assertThat(done.get("outcome").get("kind").asText()).isEqualTo("disk");
        }
        JsonNode show = admin.get("/v1/instances/web-1").json();
        List<String> attached = new ArrayList<>();
        show.get("resources").forEach(r -> {
            if (r.get("id").asText().startsWith("order")) attached.add(r.get("id").asText());
        });
        assertThat(attached).as("each applied once, in the order queued").containsExactlyElementsOf(disks);
        int finished = h.registry().read(c -> {
            try (var st = c.prepareStatement("SELECT COUNT(*) FROM queued_requests WHERE state = 'done' AND lane = ?")) {
                st.setString(1, instanceId);
                var rs = st.executeQuery();
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(finished).isGreaterThanOrEqualTo(8);
    }

    @Test
    void theSameQueuedRequestTwiceIsOneRequest() {
        QueuedRequest q = addDisk(admin.key(), instanceId, "twice");
        assertThat(submit(q).status()).isEqualTo(202);
        SignedClient.Reply again = submit(q);
        assertThat(again.status()).as(again.toString()).isEqualTo(202);
        assertThat(again.json().get("requestId").asText()).isEqualTo(q.nonce());
        assertThat(awaitFinished(admin, q.nonce()).get("status").asInt()).isEqualTo(201);
        SignedClient.Reply third = submit(q);
        assertThat(third.json().get("state").asText()).as("a retry after the end gets the outcome").isEqualTo("done");
        long count = 0;
        for (JsonNode r : admin.get("/v1/instances/web-1").json().get("resources")) if (r.get("id").asText().equals("twice")) count++;
        assertThat(count).isEqualTo(1);
    }

    @Test
    void aBadSignatureIsRefusedAtOnceAndNothingIsStored() {
        QueuedRequest q = addDisk(admin.key(), "web-1", "forged");
        String otherBody = Base64.getEncoder().encodeToString("{\"diskId\":\"evil\",\"path\":\"/etc/shadow\"}".getBytes(StandardCharsets.UTF_8));
        QueuedRequest tampered = new QueuedRequest(q.instance(), q.method(), q.target(), otherBody, q.nonce(), q.expires(), q.signature(), q.address());
        SignedClient.Reply r = submit(tampered);
        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(r.code()).isEqualTo("unauthenticated");
        OpenApiContract.check(r);
        assertThat(admin.get("/v1/requests/" + q.nonce()).status()).isEqualTo(404);

        QueuedRequest garbage = new QueuedRequest(q.instance(), q.method(), q.target(), q.bodyBase64(), q.nonce(), q.expires(), "0x1234", q.address());
        assertThat(submit(garbage).status()).isEqualTo(401);
        // The genuine request with that id is still welcome afterwards.
        assertThat(submit(q).status()).isEqualTo(202);
        assertThat(awaitFinished(admin, q.nonce()).get("status").asInt()).isEqualTo(201);
    }

    @Test
    void malformedQueuedRequestsAreRefusedNamingTheField() {
        QueuedRequest q = addDisk(admin.key(), "web-1", "malformed");
        SignedClient.Reply r = submit(new QueuedRequest(q.instance(), "GET", q.target(), q.bodyBase64(), q.nonce(), q.expires(), q.signature(), q.address()));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).isEqualTo("method");
        SignedClient.Reply unknownField = submit("{\"instance\":\"web-1\",\"bogus\":1}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().get("field").asText()).isEqualTo("bogus");
        SignedClient.Reply unknownInstance = submit(addDisk(admin.key(), "nope-9", "x"));
        assertThat(unknownInstance.status()).as(unknownInstance.toString()).isEqualTo(404);
    }

    @Test
    void theOutcomeIsForTheSignerAndThoseWhoMayViewTheInstance() {
        Credentials stranger = Credentials.generate(new SecureRandom());
        QueuedRequest q = addDisk(admin.key(), "web-1", "private1");
        assertThat(submit(q).status()).isEqualTo(202);
        awaitFinished(admin, q.nonce());
        SignedClient strangerClient = h.client(stranger);
        SignedClient.Reply refused = strangerClient.get("/v1/requests/" + q.nonce());
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("forbidden");
        SignedClient.Reply grant = admin.put("/v1/instances/web-1/grants/" + stranger.address(), Map.of("level", "readonly"));
        assertThat(grant.status()).as(grant.toString()).isBetween(200, 201);
        SignedClient.Reply allowed = strangerClient.get("/v1/requests/" + q.nonce());
        assertThat(allowed.status()).as(allowed.toString()).isEqualTo(200);
        OpenApiContract.check(allowed);
        assertThat(allowed.json().get("state").asText()).isEqualTo("done");
    }

    @Test
    void aQueuedRequestWithoutTheLevelEndsForbidden() {
        Credentials stranger = Credentials.generate(new SecureRandom());
        QueuedRequest q = addDisk(stranger, "web-1", "notmine");
        SignedClient strangerClient = h.client(stranger);
        assertThat(submit(strangerClient, q).status()).isEqualTo(202);
        JsonNode outcome = awaitFinished(strangerClient, q.nonce());
        assertThat(outcome.get("state").asText()).isEqualTo("failed");
        assertThat(outcome.get("status").asInt()).isEqualTo(403);
        assertThat(outcome.get("outcome").get("code").asText()).isEqualTo("forbidden");
    }

    @Test
    void anExpiredQueuedRequestIsRefusedAsExpired() {
        byte[] body = SignedClient.bytes(Map.of("diskId", "late", "path", "late.raw", "sizeBytes", 1 << 20));
        var headers = RequestSigner.sign(admin.key(), "POST", "/v1/instances/web-1/disks", body, RequestSigner.newNonce(),
                System.currentTimeMillis() / 1000 - 5);
        QueuedRequest q = new QueuedRequest("web-1", "POST", "/v1/instances/web-1/disks", Base64.getEncoder().encodeToString(body),
                headers.nonce(), headers.expires(), headers.signature(), headers.address());
        SignedClient.Reply r = submit(q);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().get("message").asText()).contains(AuthenticationException.Reason.EXPIRED.wire());
    }

    // ---- the POST is authenticated by the request it carries -------------------------------------------

    /** How often the request with this id took effect: its successful audit lines (one per effect). */
    static int effects(String requestId) {
        return h.registry().read(c -> {
            try (var st = c.prepareStatement("SELECT COUNT(*) FROM audit WHERE request_id = ? AND outcome = 'ok'")) {
                st.setString(1, requestId);
                var rs = st.executeQuery();
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /** The queue table's rows for this id and how often they were started: [rows, attempts]. */
    static int[] rowsAndAttempts(String requestId) {
        return h.registry().read(c -> {
            try (var st = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(attempts), 0) FROM queued_requests WHERE request_id = ?")) {
                st.setString(1, requestId);
                var rs = st.executeQuery();
                rs.next();
                return new int[]{rs.getInt(1), rs.getInt(2)};
            }
        });
    }

    static long resourcesNamed(String instanceRef, String id) {
        long count = 0;
        for (JsonNode r : admin.get("/v1/instances/" + instanceRef).json().get("resources")) if (r.get("id").asText().equals(id)) count++;
        return count;
    }

    /** The queued request re-signed by {@code key} over other contents but under the same nonce. */
    static QueuedRequest sameNonce(Credentials key, QueuedRequest original, String target, byte[] body) {
        SignedHeaders h2 = RequestSigner.sign(key, original.method(), target, body, original.nonce(), original.expires());
        return new QueuedRequest(original.instance(), original.method(), target, Base64.getEncoder().encodeToString(body),
                h2.nonce(), h2.expires(), h2.signature(), h2.address());
    }

    @Test
    void anUnsignedPostCarryingAValidlySignedRequestIsAcceptedAndRunsOnce() {
        QueuedRequest q = addDisk(admin.key(), "web-1", "unsigned1");
        SignedClient.Reply accepted = submit(q);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        OpenApiContract.check(accepted);
        assertThat(accepted.json().get("requestId").asText()).isEqualTo(q.nonce());
        JsonNode done = awaitFinished(admin, q.nonce());
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.get("status").asInt()).isEqualTo(201);
        assertThat(effects(q.nonce())).as("one effect").isEqualTo(1);
        assertThat(rowsAndAttempts(q.nonce())).as("one row, started once").containsExactly(1, 1);
        assertThat(resourcesNamed("web-1", "unsigned1")).isEqualTo(1);
        // The envelope's nonce no longer exists: the only nonce recorded is the request's own, with its outcome.
        java.util.Optional<NonceStore.SeenNonce> recorded = h.registry().read(c -> NonceStore.find(c, q.nonce()));
        assertThat(recorded).isPresent();
        assertThat(recorded.get().status()).isEqualTo(201);
    }

    @Test
    void formHeadersOnThePostItselfAreNotLookedAt() {
        Credentials stranger = Credentials.generate(new SecureRandom());
        // A stranger's valid signature over the envelope does not make the stranger the signer...
        QueuedRequest q = addDisk(admin.key(), "web-1", "envelope1");
        byte[] post = SignedClient.bytes(q);
        SignedClient.Reply r = admin.sendSigned("POST", "/v1/queue", post, RequestSigner.sign(stranger, "POST", "/v1/queue", post, Duration.ofMinutes(2)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(awaitFinished(admin, q.nonce()).get("status").asInt()).as("run as the admin who signed it").isEqualTo(201);
        assertThat(h.registry().read(c -> QueuedRequestStore.find(c, q.nonce())).orElseThrow().signer()).isEqualTo(admin.address());
        // ...and headers that would fail any check (expired, malformed) do not stop a genuine queued request.
        QueuedRequest q2 = addDisk(admin.key(), "web-1", "envelope2");
        byte[] post2 = SignedClient.bytes(q2);
        SignedClient.Reply r2 = admin.sendSigned("POST", "/v1/queue", post2, new SignedHeaders("not-hex", 1, "0xdead"));
        assertThat(r2.status()).as(r2.toString()).isEqualTo(202);
        assertThat(awaitFinished(admin, q2.nonce()).get("status").asInt()).isEqualTo(201);
        // A signed envelope around a forged request is still refused: only the inner signature counts.
        QueuedRequest forged = new QueuedRequest(q.instance(), q.method(), q.target(), q.bodyBase64(), RequestSigner.newNonce(), q.expires(),
                q.signature(), q.address());
        byte[] post3 = SignedClient.bytes(forged);
        SignedClient.Reply r3 = admin.sendSigned("POST", "/v1/queue", post3, RequestSigner.sign(admin.key(), "POST", "/v1/queue", post3, Duration.ofMinutes(2)));
        assertThat(r3.status()).as(r3.toString()).isEqualTo(401);
        assertThat(r3.json().get("message").asText()).contains("(bad_signature)");
    }

    @Test
    void aTamperedBodyTargetMethodOrExpiryIsRefusedNamingTheReasonAndNothingIsStored() {
        QueuedRequest q = addDisk(admin.key(), "web-1", "tamper1");
        String otherBody = Base64.getEncoder().encodeToString(SignedClient.bytes(Map.of("diskId", "tamper1", "path", "other.raw", "sizeBytes", 1 << 20)));
        List<QueuedRequest> tampered = List.of(
                new QueuedRequest(q.instance(), q.method(), q.target(), otherBody, q.nonce(), q.expires(), q.signature(), q.address()),
                // routed to another instance: instance field and target both changed, consistently
                new QueuedRequest("web-2", q.method(), "/v1/instances/web-2/disks", q.bodyBase64(), q.nonce(), q.expires(), q.signature(), q.address()),
                new QueuedRequest(q.instance(), "PUT", q.target(), q.bodyBase64(), q.nonce(), q.expires(), q.signature(), q.address()),
                new QueuedRequest(q.instance(), q.method(), q.target(), q.bodyBase64(), q.nonce(), q.expires() + 600, q.signature(), q.address()));
        for (QueuedRequest t : tampered) {
            SignedClient.Reply r = submit(t);
            assertThat(r.status()).as(r.toString()).isEqualTo(401);
            assertThat(r.code()).isEqualTo("unauthenticated");
            assertThat(r.json().get("message").asText()).as(r.toString()).contains("(bad_signature)");
            OpenApiContract.check(r);
        }
        assertThat(rowsAndAttempts(q.nonce())).as("nothing stored").containsExactly(0, 0);
        assertThat(admin.get("/v1/requests/" + q.nonce()).status()).isEqualTo(404);
        assertThat(resourcesNamed("web-2", "tamper1")).isZero();
        // Untouched, the same request is welcome.
        assertThat(submit(q).status()).isEqualTo(202);
        assertThat(awaitFinished(admin, q.nonce()).get("status").asInt()).isEqualTo(201);
    }

    @Test
    void anotherRequestUnderAUsedNonceIsAReplayWhetherTheNonceWasQueuedOrDirect() {
        // Queued first, then different contents signed under the same nonce.
        QueuedRequest first = addDisk(admin.key(), "web-1", "replay1");
        assertThat(submit(first).status()).isEqualTo(202);
        QueuedRequest other = sameNonce(admin.key(), first, first.target(),
                SignedClient.bytes(Map.of("diskId", "replay1b", "path", "replay1b.raw", "sizeBytes", 1 << 20)));
        SignedClient.Reply refused = submit(other);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
        assertThat(refused.json().get("message").asText()).contains("(replayed)");
        awaitFinished(admin, first.nonce());
        assertThat(submit(other).status()).as("still a replay once the first has finished").isEqualTo(401);
        assertThat(resourcesNamed("web-1", "replay1b")).isZero();

        // Used by a direct call, then queued with other contents.
        byte[] body = SignedClient.bytes(Map.of("diskId", "replay2", "path", "replay2.raw", "sizeBytes", 1 << 20));
        String target = "/v1/instances/web-1/disks";
        SignedHeaders direct = RequestSigner.sign(admin.key(), "POST", target, body, Duration.ofMinutes(2));
        assertThat(admin.sendSigned("POST", target, body, direct).status()).isEqualTo(201);
        QueuedRequest asQueued = new QueuedRequest("web-1", "POST", target, Base64.getEncoder().encodeToString(body), direct.nonce(),
                direct.expires(), direct.signature(), direct.address());
        SignedClient.Reply replayed = submit(sameNonce(admin.key(), asQueued, target,
                SignedClient.bytes(Map.of("diskId", "replay2b", "path", "replay2b.raw", "sizeBytes", 1 << 20))));
        assertThat(replayed.status()).as(replayed.toString()).isEqualTo(401);
        assertThat(replayed.json().get("message").asText()).contains("(replayed)");
        assertThat(rowsAndAttempts(direct.nonce())).containsExactly(0, 0);
    }

    @Test
    void theVeryRequestADirectCallAlreadyMadeIsAcceptedAndEndsWithThatOutcome() {
        byte[] body = SignedClient.bytes(Map.of("diskId", "both1", "path", "both1.raw", "sizeBytes", 1 << 20));
        String target = "/v1/instances/web-1/disks";
        SignedHeaders direct = RequestSigner.sign(admin.key(), "POST", target, body, Duration.ofMinutes(2));
        SignedClient.Reply made = admin.sendSigned("POST", target, body, direct);
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        QueuedRequest same = new QueuedRequest("web-1", "POST", target, Base64.getEncoder().encodeToString(body), direct.nonce(),
                direct.expires(), direct.signature(), direct.address());
        SignedClient.Reply accepted = submit(same);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        JsonNode outcome = awaitFinished(admin, direct.nonce());
        assertThat(outcome.get("status").asInt()).isEqualTo(201);
        assertThat(outcome.get("outcome").get("id").asText()).isEqualTo("both1");
        assertThat(effects(direct.nonce())).as("the direct call's effect only").isEqualTo(1);
        assertThat(resourcesNamed("web-1", "both1")).isEqualTo(1);
    }

    @Test
    void theIdenticalRequestSubmittedConcurrentlyRunsOnceAndEverySubmitterGetsItsStatus() throws Exception {
        QueuedRequest q = addDisk(admin.key(), "web-1", "concurrent1");
        int submitters = 8;
        ExecutorService pool = Executors.newFixedThreadPool(submitters);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SignedClient.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < submitters; i++) {
                replies.add(pool.submit(() -> {
                    go.await();
                    return submit(q);
                }));
            }
            go.countDown();
            for (Future<SignedClient.Reply> f : replies) {
                SignedClient.Reply r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.toString()).isEqualTo(202);
                assertThat(r.json().get("requestId").asText()).isEqualTo(q.nonce());
                assertThat(r.json().get("state").asText()).isIn("queued", "running", "done");
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode done = awaitFinished(admin, q.nonce());
        assertThat(done.get("status").asInt()).as(done.toString()).isEqualTo(201);
        SignedClient.Reply late = submit(q);
        assertThat(late.status()).isEqualTo(202);
        assertThat(late.json().get("state").asText()).as("a retry after the end gets the outcome").isEqualTo("done");
        assertThat(late.json().get("status").asInt()).isEqualTo(201);
        assertThat(rowsAndAttempts(q.nonce())).as("one row, started once").containsExactly(1, 1);
        assertThat(effects(q.nonce())).as("one effect").isEqualTo(1);
        assertThat(resourcesNamed("web-1", "concurrent1")).isEqualTo(1);
    }

    @Test
    void anInstanceFieldNamingAnotherInstanceThanTheSignedTargetIsRefused() {
        QueuedRequest q = addDisk(admin.key(), "web-1", "mismatch1");
        QueuedRequest rerouted = new QueuedRequest("web-2", q.method(), q.target(), q.bodyBase64(), q.nonce(), q.expires(), q.signature(), q.address());
        SignedClient.Reply r = submit(rerouted);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).isEqualTo("instance");
        QueuedRequest byId = new QueuedRequest(instanceId, q.method(), q.target(), q.bodyBase64(), q.nonce(), q.expires(), q.signature(), q.address());
        assertThat(submit(byId).status()).as("the id of the same instance is fine").isEqualTo(202);
        assertThat(awaitFinished(admin, q.nonce()).get("status").asInt()).isEqualTo(201);
        assertThat(resourcesNamed("web-2", "mismatch1")).isZero();
    }

    @Test
    void aQueuedRequestExpiringTooFarAheadIsRefused() {
        byte[] body = SignedClient.bytes(Map.of("diskId", "far", "path", "far.raw", "sizeBytes", 1 << 20));
        String target = "/v1/instances/web-1/disks";
        SignedHeaders far = RequestSigner.sign(admin.key(), "POST", target, body, RequestSigner.newNonce(), System.currentTimeMillis() / 1000 + 25 * 3600);
        SignedClient.Reply r = submit(new QueuedRequest("web-1", "POST", target, Base64.getEncoder().encodeToString(body), far.nonce(), far.expires(),
                far.signature(), far.address()));
        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(r.json().get("message").asText()).contains("(" + AuthenticationException.Reason.TOO_FAR_IN_FUTURE.wire() + ")");
        assertThat(rowsAndAttempts(far.nonce())).containsExactly(0, 0);
    }

    @Test
    void malformedSubmissionsNameTheField() {
        QueuedRequest q = addDisk(admin.key(), "web-1", "malformed2");
        SignedClient.Reply noAddress = submit(new QueuedRequest(q.instance(), q.method(), q.target(), q.bodyBase64(), q.nonce(), q.expires(), q.signature(), null));
        assertThat(noAddress.status()).as(noAddress.toString()).isEqualTo(400);
        assertThat(noAddress.json().get("field").asText()).isEqualTo("address");
        SignedClient.Reply badBase64 = submit(new QueuedRequest(q.instance(), q.method(), q.target(), "%%%", q.nonce(), q.expires(), q.signature(), q.address()));
        assertThat(badBase64.status()).isEqualTo(400);
        assertThat(badBase64.json().get("field").asText()).isEqualTo("bodyBase64");
        SignedClient.Reply badNonce = submit(new QueuedRequest(q.instance(), q.method(), q.target(), q.bodyBase64(), "XYZ", q.expires(), q.signature(), q.address()));
        assertThat(badNonce.status()).isEqualTo(400);
        assertThat(badNonce.json().get("field").asText()).isEqualTo("nonce");
        SignedClient.Reply notJson = submit("this is not JSON");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("field").asText()).isEqualTo("body");
        OpenApiContract.check(notJson);
        SignedClient.Reply empty = admin.sendSigned("POST", "/v1/queue", new byte[0], null);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().get("field").asText()).isEqualTo("body");
        SignedClient.Reply badSignature = submit(new QueuedRequest(q.instance(), q.method(), q.target(), q.bodyBase64(), q.nonce(), q.expires(), "0x1234", q.address()));
        assertThat(badSignature.status()).as("a signature of the wrong shape is the signature's problem: 401").isEqualTo(401);
        assertThat(badSignature.json().get("message").asText()).contains("(malformed)");
        assertThat(rowsAndAttempts(q.nonce())).containsExactly(0, 0);
    }
}
