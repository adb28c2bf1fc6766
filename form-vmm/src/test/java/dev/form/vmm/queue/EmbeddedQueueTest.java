package dev.form.vmm.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.QueuedRequest;
import dev.form.core.auth.AuthenticationException;
import dev.form.core.auth.RequestSigner;
import dev.form.core.keys.Credentials;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The embedded queue through the real service over HTTP, with the simulator and a real registry. */
class EmbeddedQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    static Path tmp;
    static ServiceHarness h;
    static SignedClient admin;
    static String instanceId;

    @BeforeAll
    static void start() throws Exception {
        h = new ServiceHarness(tmp, Duration.ofSeconds(5)).start();
        admin = h.adminClient();
        SignedClient.Reply created = admin.post("/v1/instances", h.createRequest("web-1"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        instanceId = created.json().get("id").asText();
    }

    @AfterAll
    static void stop() {
        if (h != null) h.close();
    }

    static QueuedRequest addDisk(Credentials key, String instanceRef, String diskId) {
        byte[] body = SignedClient.bytes(Map.of("diskId", diskId, "path", diskId + ".raw", "sizeBytes", 1 << 20));
        return RequestSigner.signQueued(key, instanceRef, "POST", "/v1/instances/" + instanceRef + "/disks", body, Duration.ofMinutes(30));
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
            SignedClient.Reply accepted = admin.post("/v1/queue", q);
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
        assertThat(admin.post("/v1/queue", q).status()).isEqualTo(202);
        SignedClient.Reply again = admin.post("/v1/queue", q);
        assertThat(again.status()).as(again.toString()).isEqualTo(202);
        assertThat(again.json().get("requestId").asText()).isEqualTo(q.nonce());
        assertThat(awaitFinished(admin, q.nonce()).get("status").asInt()).isEqualTo(201);
        SignedClient.Reply third = admin.post("/v1/queue", q);
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
        SignedClient.Reply r = admin.post("/v1/queue", tampered);
        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(r.code()).isEqualTo("unauthenticated");
        OpenApiContract.check(r);
        assertThat(admin.get("/v1/requests/" + q.nonce()).status()).isEqualTo(404);

        QueuedRequest garbage = new QueuedRequest(q.instance(), q.method(), q.target(), q.bodyBase64(), q.nonce(), q.expires(), "0x1234", q.address());
        assertThat(admin.post("/v1/queue", garbage).status()).isEqualTo(401);
        // The genuine request with that id is still welcome afterwards.
        assertThat(admin.post("/v1/queue", q).status()).isEqualTo(202);
        assertThat(awaitFinished(admin, q.nonce()).get("status").asInt()).isEqualTo(201);
    }

    @Test
    void malformedQueuedRequestsAreRefusedNamingTheField() {
        QueuedRequest q = addDisk(admin.key(), "web-1", "malformed");
        SignedClient.Reply r = admin.post("/v1/queue", new QueuedRequest(q.instance(), "GET", q.target(), q.bodyBase64(), q.nonce(), q.expires(), q.signature(), q.address()));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).isEqualTo("method");
        SignedClient.Reply unknownField = admin.post("/v1/queue", "{\"instance\":\"web-1\",\"bogus\":1}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().get("field").asText()).isEqualTo("bogus");
        SignedClient.Reply unknownInstance = admin.post("/v1/queue", addDisk(admin.key(), "nope-9", "x"));
        assertThat(unknownInstance.status()).as(unknownInstance.toString()).isEqualTo(404);
    }

    @Test
    void theOutcomeIsForTheSignerAndThoseWhoMayViewTheInstance() {
        Credentials stranger = Credentials.generate(new SecureRandom());
        QueuedRequest q = addDisk(admin.key(), "web-1", "private1");
        assertThat(admin.post("/v1/queue", q).status()).isEqualTo(202);
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
        assertThat(strangerClient.post("/v1/queue", q).status()).isEqualTo(202);
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
        SignedClient.Reply r = admin.post("/v1/queue", q);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().get("message").asText()).contains(AuthenticationException.Reason.EXPIRED.wire());
    }
}
