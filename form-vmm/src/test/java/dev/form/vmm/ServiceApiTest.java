package dev.form.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.AddDiskRequest;
import dev.form.core.api.CreateInstanceRequest;
import dev.form.core.api.GrantRequest;
import dev.form.core.api.ResizeRequest;
import dev.form.core.auth.RequestSigner;
import dev.form.core.auth.SignedHeaders;
import dev.form.core.keys.Credentials;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.VmRunState;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisor;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.testing.OpenApiContract;
import dev.form.vmm.testing.ServiceHarness;
import dev.form.vmm.testing.SignedClient;
import dev.form.vmm.testing.SignedClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real service in this JVM, over real HTTP with signed requests, driving Cloud Hypervisor
 * simulator processes, with a real SQLite registry: every route, every error class, and what the
 * hypervisor itself reports after each change. One VM is shared by the ordered steps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceApiTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Path root;
    private ServiceHarness h;
    private SignedClient admin;
    private SignedClient stranger;
    private final List<ServerSocketChannel> sockets = new ArrayList<>();
    private final List<Process> extraVms = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("form-vmm-api");
        h = new ServiceHarness(root, Duration.ofSeconds(5), "--sim-vhost-wait-ms", "300").start();
        admin = h.adminClient();
        stranger = h.client(Credentials.generate(RANDOM));
    }

    @AfterAll
    void stop() throws IOException {
        h.close();
        for (ServerSocketChannel s : sockets) s.close();
        extraVms.forEach(Process::destroyForcibly);
        ServiceHarness.killProcessesUsing(root);
    }

    /** Sends, checks the answer against openapi.json, returns it. */
    private static Reply checked(Reply r) {
        OpenApiContract.check(r);
        return r;
    }

    private static void assertError(Reply r, int status, String code, String field) {
        checked(r);
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        if (field != null) assertThat(r.json().path("field").asText()).as(r.toString()).isEqualTo(field);
        assertThat(r.text()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** What the hypervisor itself lists for the instance right now. */
    private Map<String, String> hypervisorDevices(String name) throws HypervisorException {
        InstanceRecord i = h.instance(name);
        try (RunningVm vm = new CloudHypervisor(h.chBin).reattach(i.endpoint())) {
            return vm.snapshot().devices();
        }
    }

    private ServerSocketChannel listeningSocket(String name) throws IOException {
        Path p = h.dataDir.resolve("sockets").resolve(name);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(p));
        sockets.add(s);
        return s;
    }

    // ---- unsigned routes, authentication ---------------------------------------------------------

    @Test
    @Order(1)
    void healthAndOpenApiNeedNoSignature() {
        Reply health = checked(admin.sendSigned("GET", "/v1/health", new byte[0], null));
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("hypervisor").asText()).isEqualTo("cloud-hypervisor");
        Reply doc = checked(admin.sendSigned("GET", "/v1/openapi.json", new byte[0], null));
        assertThat(doc.json().get("openapi").asText()).startsWith("3.1");
        assertThat(doc.json().path("paths").has("/v1/instances/{ref}/batch")).isTrue();
    }

    @Test
    @Order(2)
    void unsignedBadAndExpiredRequestsAre401SayingWhich() {
        Reply unsigned = admin.sendSigned("GET", "/v1/instances", new byte[0], null);
        assertError(unsigned, 401, "unauthenticated", null);
        assertThat(unsigned.json().get("message").asText()).contains("missing");

        byte[] body = SignedClient.bytes(Map.of("name", "x"));
        SignedHeaders forOtherBody = RequestSigner.sign(admin.key(), "POST", "/v1/instances", new byte[]{1}, Duration.ofMinutes(1));
        Reply tampered = admin.sendSigned("POST", "/v1/instances", body, forOtherBody);
        assertError(tampered, 401, "unauthenticated", null);
        assertThat(tampered.json().get("message").asText()).contains("bad_signature");

        long past = System.currentTimeMillis() / 1000 - 10;
        SignedHeaders expired = RequestSigner.sign(admin.key(), "GET", "/v1/instances", new byte[0], hex(16), past);
        Reply old = admin.sendSigned("GET", "/v1/instances", new byte[0], expired);
        assertError(old, 401, "unauthenticated", null);
        assertThat(old.json().get("message").asText()).contains("expired");

        long farAhead = System.currentTimeMillis() / 1000 + 3600;
        SignedHeaders future = RequestSigner.sign(admin.key(), "GET", "/v1/instances", new byte[0], hex(16), farAhead);
        Reply tooFar = admin.sendSigned("GET", "/v1/instances", new byte[0], future);
        assertError(tooFar, 401, "unauthenticated", null);
        assertThat(tooFar.json().get("message").asText()).contains("too_far_in_future");
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    // ---- create -------------------------------------------------------------------------------------

    @Test
    @Order(10)
    void onlyAdminsCreateAndEveryFieldIsChecked() throws Exception {
        assertError(stranger.post("/v1/instances", h.createRequest("web-1")), 403, "forbidden", null);
        assertError(admin.post("/v1/instances", new CreateInstanceRequest("1bad", h.kernel(), null, null, null, 1, null, null, null, null, null)),
                400, "invalid_input", "name");
        assertError(admin.post("/v1/instances", new CreateInstanceRequest("web-1", null, null, null, null, 1, null, null, null, null, null)),
                400, "invalid_input", "kernel");
        assertError(admin.post("/v1/instances", new CreateInstanceRequest("web-1", h.kernel(), null, null, null, 4, 2, null, null, null, null)),
                400, "invalid_input", "maxCpus");
        assertError(admin.post("/v1/instances", new CreateInstanceRequest("web-1", "/etc/passwd", null, null, null, 1, null, null, null, null, null)),
                403, "policy_denied", "kernel");
        assertError(admin.post("/v1/instances", "{\"name\":\"web-1\",\"kernal\":\"x\"}"), 400, "invalid_input", "kernal");
        List<InstanceRecord> none = h.registry().read(dev.form.vmm.registry.InstanceStore::all);
        assertThat(none).isEmpty();
    }

    @Test
    @Order(11)
    void createBootsTheVmAndRecordsIt() throws Exception {
        Reply r = checked(admin.post("/v1/instances", h.createRequest("web-1")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode v = r.json();
        assertThat(v.get("state").asText()).isEqualTo("running");
        assertThat(v.get("owner").asText()).isEqualTo(admin.address());
        assertThat(v.get("sharedMemory").asBoolean()).isTrue();
        assertThat(v.get("id").asText()).startsWith("i_");
        InstanceRecord rec = h.instance("web-1");
        assertThat(ProcessHandle.of(rec.endpoint().pid())).isPresent();
        assertError(admin.post("/v1/instances", h.createRequest("web-1")), 409, "conflict", "name");
    }

    // ---- authorization ------------------------------------------------------------------------------

    @Test
    @Order(20)
    void strangersSeeNothingUntilGranted() {
        assertError(stranger.get("/v1/instances/web-1"), 403, "forbidden", null);
        assertThat(stranger.get("/v1/instances/web-1").json().get("message").asText()).contains("has no access");
        assertError(stranger.get("/v1/instances/nope"), 404, "not_found", null);
        assertThat(checked(stranger.get("/v1/instances")).json()).isEmpty();
        assertThat(checked(admin.get("/v1/instances")).json()).hasSize(1);

        String who = "/v1/instances/web-1/grants/" + stranger.address();
        assertError(stranger.put(who, new GrantRequest("owner")), 403, "forbidden", null);
        assertError(admin.put(who, new GrantRequest("boss")), 400, "invalid_input", "level");
        assertError(admin.put("/v1/instances/web-1/grants/0x12", new GrantRequest("readonly")), 400, "invalid_input", "address");
        Reply granted = checked(admin.put(who, new GrantRequest("readonly")));
        assertThat(granted.status()).isEqualTo(200);

        Reply shown = checked(stranger.get("/v1/instances/web-1"));
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().get("grants").get(0).get("level").asText()).isEqualTo("readonly");
        assertThat(checked(stranger.get("/v1/instances")).json()).hasSize(1);
        Reply denied = stranger.post("/v1/instances/web-1/disks", new AddDiskRequest(null, "s.raw", null, null, null, 1L << 20, null, null, null, null, null));
        assertError(denied, 403, "forbidden", null);
        assertThat(denied.json().get("message").asText()).contains("readonly").contains("manager");
        assertError(stranger.post("/v1/instances/web-1/stop", null), 403, "forbidden", null);
        assertThat(checked(admin.put(who, new GrantRequest("manager"))).status()).isEqualTo(200);
    }

    // ---- add disk ---------------------------------------------------------------------------------

    @Test
    @Order(30)
    void addDiskCreatesASparseImageAndTheHypervisorListsIt() throws Exception {
        Reply r = checked(stranger.post("/v1/instances/web-1/disks",
                new AddDiskRequest("data1", "data1.raw", null, null, null, 8L << 20, null, null, null, null, null)));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("state").asText()).isEqualTo("attached");
        assertThat(r.json().get("pciAddress").asText()).matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
        assertThat(r.json().get("format").asText()).isEqualTo("raw");
        assertThat(r.json().get("serial").asText()).isEqualTo("data1");
        Path image = h.dataDir.resolve("volumes/data1.raw");
        assertThat(Files.size(image)).isEqualTo(8L << 20);
        assertThat(hypervisorDevices("web-1")).containsEntry("data1", r.json().get("pciAddress").asText());

        Reply generated = checked(admin.post("/v1/instances/web-1/disks", Map.of("path", "gen.raw", "sizeBytes", 1 << 20)));
        assertThat(generated.status()).as(generated.toString()).isEqualTo(201);
        assertThat(generated.json().get("id").asText()).isEqualTo("Disk1");
    }

    @Test
    @Order(31)
    void badDiskRequestsNameTheFieldAndLeaveNothingBehind() throws Exception {
        Map<String, String> before = hypervisorDevices("web-1");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("sizeBytes", 1024)), 400, "invalid_input", "path");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "x.raw", "diskId", "Bad")), 400, "invalid_input", "diskId");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "x.raw", "sizeBytes", 1000)), 400, "invalid_input", "sizeBytes");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "x.raw", "colour", "red")), 400, "invalid_input", "colour");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "x.raw", "kind", "fs")), 400, "invalid_input", "kind");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "/etc/passwd")), 403, "policy_denied", "path");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "../../../../etc/shadow")), 403, "policy_denied", "path");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "/dev/sda")), 403, "policy_denied", "path");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "other.raw", "sizeBytes", 1 << 20, "diskId", "data1")), 409, "conflict", "diskId");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "data1.raw", "diskId", "twin")), 409, "conflict", "path");
        assertError(admin.post("/v1/instances/web-1/disks", Map.of("path", "q.raw", "sizeBytes", 1 << 20, "numQueues", 9)), 400, "invalid_input", "numQueues");
        assertError(admin.post("/v1/instances/nope/disks", Map.of("path", "q.raw")), 404, "not_found", null);
        // the VM has no vIOMMU segment: the driver refuses before sending, and the intent is dropped again
        Reply iommu = admin.post("/v1/instances/web-1/disks", Map.of("path", "io.raw", "sizeBytes", 1 << 20, "diskId", "io1", "iommu", true));
        assertError(iommu, 400, "invalid_input", null);
        assertThat(iommu.json().get("message").asText()).contains("iommu");
        assertThat(checked(admin.get("/v1/instances/web-1")).json().get("resources").findValuesAsText("id")).doesNotContain("io1");
        assertThat(Files.exists(h.dataDir.resolve("volumes/io.raw"))).isFalse();
        assertThat(Files.exists(h.dataDir.resolve("volumes/other.raw"))).isFalse();
        assertThat(Files.exists(h.dataDir.resolve("volumes/q.raw"))).isFalse();
        assertThat(hypervisorDevices("web-1")).isEqualTo(before);
    }

    // ---- fs -------------------------------------------------------------------------------------

    @Test
    @Order(40)
    void addFsUsesARunningDaemonsSocketAndChecksTheTag() throws Exception {
        listeningSocket("fsd1.sock");
        Reply r = checked(admin.post("/v1/instances/web-1/filesystems", Map.of("fsId", "share1", "tag", "data", "socket", "fsd1.sock")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("tag").asText()).isEqualTo("data");
        assertThat(hypervisorDevices("web-1")).containsKey("share1");
        listeningSocket("fsd2.sock");
        assertError(admin.post("/v1/instances/web-1/filesystems", Map.of("tag", "data", "socket", "fsd2.sock")), 409, "conflict", "tag");
        assertError(admin.post("/v1/instances/web-1/filesystems", Map.of("tag", "x".repeat(37), "socket", "fsd2.sock")), 400, "invalid_input", "tag");
        assertError(admin.post("/v1/instances/web-1/filesystems", Map.of("tag", "t2")), 400, "invalid_input", "source");
        assertError(admin.post("/v1/instances/web-1/filesystems", Map.of("tag", "t2", "socket", "/tmp/elsewhere.sock")), 403, "policy_denied", "socket");
    }

    @Test
    @Order(41)
    void aHypervisorRefusalIs502WithItsChainAndUndoesThePreparation() throws Exception {
        // a socket file nobody listens on: the host policy accepts it, the hypervisor cannot connect
        Path stale = h.dataDir.resolve("sockets/stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        Map<String, String> before = hypervisorDevices("web-1");
        Reply r = admin.post("/v1/instances/web-1/filesystems", Map.of("fsId", "dead", "tag", "dead", "socket", "stale.sock"));
        assertError(r, 502, "hypervisor_refused", null);
        assertThat(r.json().get("hypervisor")).isNotEmpty();
        assertThat(hypervisorDevices("web-1")).isEqualTo(before);
        assertThat(checked(admin.get("/v1/instances/web-1")).json().get("resources").findValuesAsText("id")).doesNotContain("dead");
    }

    @Test
    @Order(42)
    void aBatchIsAllOrNothing() throws Exception {
        Map<String, String> before = hypervisorDevices("web-1");
        List<Map<String, Object>> failing = List.of(
                Map.of("kind", "disk", "diskId", "b1", "path", "b1.raw", "sizeBytes", 1 << 20),
                Map.of("kind", "fs", "fsId", "b2", "tag", "b2", "socket", "stale.sock"));
        Reply r = admin.post("/v1/instances/web-1/batch", failing);
        assertError(r, 502, "hypervisor_refused", null);
        assertThat(r.json().get("message").asText()).contains("batch element 1");
        assertThat(hypervisorDevices("web-1")).isEqualTo(before);
        assertThat(Files.exists(h.dataDir.resolve("volumes/b1.raw"))).as("the image the batch created is deleted again").isFalse();

        assertError(admin.post("/v1/instances/web-1/batch", List.of(Map.of("kind", "disk", "path", "ok.raw", "sizeBytes", 1 << 20),
                Map.of("kind", "disk", "path", "/etc/hosts"))), 403, "policy_denied", "[1].path");
        assertError(admin.post("/v1/instances/web-1/batch", List.of(Map.of("path", "ok.raw"))), 400, "invalid_input", "[0].kind");
        assertThat(Files.exists(h.dataDir.resolve("volumes/ok.raw"))).isFalse();

        listeningSocket("fsd3.sock");
        Reply ok = checked(admin.post("/v1/instances/web-1/batch", List.of(
                Map.of("kind", "disk", "diskId", "b1", "path", "b1.raw", "sizeBytes", 1 << 20),
                Map.of("kind", "fs", "fsId", "b2", "tag", "b2", "socket", "fsd3.sock"))));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        assertThat(ok.json()).hasSize(2);
        assertThat(hypervisorDevices("web-1")).containsKeys("b1", "b2");
    }

    // ---- remove -----------------------------------------------------------------------------------

    @Test
    @Order(50)
    void removeWaitsForTheGuestAndKeepsTheImage() throws Exception {
        Reply r = checked(admin.delete("/v1/instances/web-1/resources/b1"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("state").asText()).isEqualTo("removed");
        assertThat(hypervisorDevices("web-1")).doesNotContainKey("b1");
        assertThat(Files.exists(h.dataDir.resolve("volumes/b1.raw"))).isTrue();
        assertError(admin.delete("/v1/instances/web-1/resources/b1"), 404, "not_found", null);
        assertError(admin.delete("/v1/instances/web-1/resources/b2?timeoutMs=abc"), 400, "invalid_input", "timeoutMs");
    }

    @Test
    @Order(51)
    void aRemovalTheGuestHasNotFinishedIsPendingAndFinishedLater() throws Exception {
        Reply r = checked(admin.delete("/v1/instances/web-1/resources/b2?wait=false"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("state").asText()).isEqualTo("pending_removal");
        listeningSocket("fsd5.sock");
        assertError(admin.post("/v1/instances/web-1/filesystems", Map.of("fsId", "b2", "tag", "again", "socket", "fsd5.sock")),
                409, "conflict", "fsId");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode res = checked(admin.get("/v1/instances/web-1")).json().get("resources");
            assertThat(res.findValuesAsText("id")).doesNotContain("b2");
        });
        assertThat(hypervisorDevices("web-1")).doesNotContainKey("b2");
    }

    // ---- replay ---------------------------------------------------------------------------------

    @Test
    @Order(60)
    void aRetriedRequestGetsItsRecordedOutcomeAndAReplayIsRefused() throws Exception {
        byte[] body = SignedClient.bytes(Map.of("diskId", "retry", "path", "retry.raw", "sizeBytes", 1 << 20));
        String target = "/v1/instances/web-1/disks";
        SignedHeaders sig = RequestSigner.sign(admin.key(), "POST", target, body, Duration.ofMinutes(2));
        Reply first = checked(admin.sendSigned("POST", target, body, sig));
        Reply again = checked(admin.sendSigned("POST", target, body, sig));
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.text()).isEqualTo(first.text());
        assertThat(hypervisorDevices("web-1").keySet().stream().filter(k -> k.equals("retry"))).hasSize(1);

        byte[] other = SignedClient.bytes(Map.of("diskId", "retry2", "path", "retry2.raw", "sizeBytes", 1 << 20));
        SignedHeaders reused = RequestSigner.sign(admin.key(), "POST", target, other, sig.nonce(), sig.expires());
        Reply replay = admin.sendSigned("POST", target, other, reused);
        assertError(replay, 401, "unauthenticated", null);
        assertThat(replay.json().get("message").asText()).contains("replayed");
        assertThat(hypervisorDevices("web-1")).doesNotContainKey("retry2");

        // an error outcome is recorded too
        byte[] bad = SignedClient.bytes(Map.of("path", "/etc/passwd"));
        SignedHeaders badSig = RequestSigner.sign(admin.key(), "POST", target, bad, Duration.ofMinutes(2));
        assertThat(admin.sendSigned("POST", target, bad, badSig).status()).isEqualTo(403);
        assertThat(admin.sendSigned("POST", target, bad, badSig).status()).isEqualTo(403);
    }

    // ---- resize, console, audit ------------------------------------------------------------------

    @Test
    @Order(70)
    void resizeStaysWithinTheHeadroom() throws Exception {
        Reply r = checked(admin.post("/v1/instances/web-1/resize", new ResizeRequest(3, 512L << 20)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("cpus").asInt()).isEqualTo(3);
        InstanceRecord i = h.instance("web-1");
        try (RunningVm vm = new CloudHypervisor(h.chBin).reattach(i.endpoint())) {
            assertThat(vm.snapshot().vcpus()).isEqualTo(3);
            assertThat(vm.snapshot().memoryBytes()).isEqualTo(512L << 20);
        }
        assertError(admin.post("/v1/instances/web-1/resize", new ResizeRequest(5, null)), 400, "invalid_input", "cpus");
        assertError(admin.post("/v1/instances/web-1/resize", new ResizeRequest(null, 2048L << 20)), 400, "invalid_input", "memoryBytes");
        assertError(admin.post("/v1/instances/web-1/resize", new ResizeRequest(null, null)), 400, "invalid_input", "cpus");
    }

    @Test
    @Order(71)
    void consoleAndAuditAreReadable() throws Exception {
        InstanceRecord i = h.instance("web-1");
        Files.writeString(i.endpoint().consoleLog(), "Linux version 6.1\nlogin: ");
        Reply all = checked(admin.get("/v1/instances/web-1/console"));
        assertThat(all.text()).isEqualTo("Linux version 6.1\nlogin: ");
        Reply tail = checked(admin.get("/v1/instances/web-1/console?offset=18"));
        assertThat(tail.text()).isEqualTo("login: ");
        assertError(admin.get("/v1/instances/web-1/console?offset=-1"), 400, "invalid_input", "offset");

        Reply audit = checked(stranger.get("/v1/instances/web-1/audit"));
        List<String> ops = audit.json().findValuesAsText("operation");
        assertThat(ops).contains("create", "grant", "add-disk", "add-fs", "batch", "remove", "resize");
        assertThat(audit.json().findValuesAsText("caller")).contains(stranger.address(), admin.address());
        assertThat(audit.json().findValuesAsText("outcome")).contains("ok", "failed");
    }

    // ---- stop, cold add, start, power-off ----------------------------------------------------------

    @Test
    @Order(80)
    void aStoppedInstanceRecordsAddsAndGetsThemAtItsNextStart() throws Exception {
        long oldPid = h.instance("web-1").endpoint().pid();
        Reply stopped = checked(admin.post("/v1/instances/web-1/stop", null));
        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        assertThat(stopped.json().get("state").asText()).isEqualTo("stopped");
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(oldPid).map(p -> !p.isAlive()).orElse(true));
        assertError(admin.post("/v1/instances/web-1/stop", null), 409, "wrong_state", null);

        Reply cold = checked(admin.post("/v1/instances/web-1/disks", Map.of("diskId", "cold", "path", "cold.raw", "sizeBytes", 1 << 20)));
        assertThat(cold.status()).isEqualTo(201);
        assertThat(cold.json().get("state").asText()).isEqualTo("recorded");
        assertThat(cold.json().has("pciAddress")).isFalse();

        Reply started = checked(admin.post("/v1/instances/web-1/start", null));
        assertThat(started.status()).as(started.toString()).isEqualTo(200);
        assertThat(started.json().get("state").asText()).isEqualTo("running");
        assertThat(started.json().get("cpus").asInt()).isEqualTo(3);
        Map<String, String> devices = hypervisorDevices("web-1");
        assertThat(devices).containsKeys("data1", "Disk1", "share1", "retry", "cold");
        JsonNode res = started.json().get("resources");
        for (JsonNode r : res) {
            assertThat(r.get("state").asText()).isEqualTo("attached");
            assertThat(r.get("pciAddress").asText()).isEqualTo(devices.get(r.get("id").asText()));
        }
        assertError(admin.post("/v1/instances/web-1/start", null), 409, "wrong_state", null);
    }

    @Test
    @Order(81)
    void aGuestThatPowersOffIsRecordedStopped() throws Exception {
        long pid = h.instance("web-1").endpoint().pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(checked(admin.get("/v1/instances/web-1")).json().get("state").asText()).isEqualTo("stopped"));
        Reply started = checked(admin.post("/v1/instances/web-1/start", null));
        assertThat(started.status()).as(started.toString()).isEqualTo(200);
        assertThat(hypervisorDevices("web-1")).containsKeys("data1", "cold");
    }

    @Test
    @Order(82)
    void aRestartedServiceReattachesInsteadOfKillingVms() throws Exception {
        long pid = h.instance("web-1").endpoint().pid();
        h.restart();
        admin = h.adminClient();
        stranger = h.client(stranger.key());
        Reply shown = checked(admin.get("/v1/instances/web-1"));
        assertThat(shown.json().get("state").asText()).isEqualTo("running");
        assertThat(h.instance("web-1").endpoint().pid()).isEqualTo(pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        Reply added = checked(admin.post("/v1/instances/web-1/disks", Map.of("diskId", "after", "path", "after.raw", "sizeBytes", 1 << 20)));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
    }

    // ---- shared memory, adopt, delete --------------------------------------------------------------

    @Test
    @Order(90)
    void sharesNeedSharedMemory() throws Exception {
        CreateInstanceRequest plain = new CreateInstanceRequest("plain", h.kernel(), null, null, null, 1, null, 256L << 20, null, false, null);
        assertThat(checked(admin.post("/v1/instances", plain)).status()).isEqualTo(201);
        listeningSocket("fsd4.sock");
        Reply r = admin.post("/v1/instances/plain/filesystems", Map.of("tag", "t", "socket", "fsd4.sock"));
        assertError(r, 409, "wrong_state", null);
        assertThat(r.json().get("hint").asText()).contains("sharedMemory");
        Reply foreignImage = admin.post("/v1/instances/plain/disks", Map.of("path", "data1.raw", "readonly", true));
        assertError(foreignImage, 403, "policy_denied", "path");
        assertThat(foreignImage.json().get("message").asText()).contains("belongs to instance");
        // an image the service created stays its instance's after the disk is removed
        assertThat(checked(admin.post("/v1/instances/web-1/disks", Map.of("diskId", "kept", "path", "kept.raw", "sizeBytes", 1 << 20)))
                .status()).isEqualTo(201);
        assertThat(checked(admin.delete("/v1/instances/web-1/resources/kept")).json().get("state").asText()).isEqualTo("removed");
        Reply removedButOwned = admin.post("/v1/instances/plain/disks", Map.of("path", "kept.raw"));
        assertError(removedButOwned, 403, "policy_denied", "path");
        assertThat(removedButOwned.json().get("message").asText()).contains("belongs to instance");
        // an image no instance owns: shared read-only across instances, never beside a writer
        Files.write(h.dataDir.resolve("volumes/common.raw"), new byte[1 << 20]);
        assertThat(checked(admin.post("/v1/instances/web-1/disks", Map.of("diskId", "common", "path", "common.raw"))).status()).isEqualTo(201);
        Reply besideWriter = admin.post("/v1/instances/plain/disks", Map.of("path", "common.raw", "readonly", true));
        assertError(besideWriter, 409, "conflict", "path");
        assertThat(besideWriter.json().get("message").asText()).contains("read-write", "disk 'common'");
        assertError(admin.post("/v1/instances/plain/disks", Map.of("path", "common.raw")), 409, "conflict", "path");
        assertThat(checked(admin.delete("/v1/instances/web-1/resources/common")).json().get("state").asText()).isEqualTo("removed");
        assertThat(checked(admin.post("/v1/instances/plain/disks", Map.of("diskId", "reader", "path", "common.raw", "readonly", true)))
                .status()).isEqualTo(201);
        assertThat(checked(admin.post("/v1/instances/web-1/disks", Map.of("diskId", "reader2", "path", "common.raw", "readonly", true)))
                .status()).isEqualTo(201);
        Reply writerBesideReaders = admin.post("/v1/instances/web-1/disks", Map.of("diskId", "writer", "path", "common.raw"));
        assertError(writerBesideReaders, 409, "conflict", "path");
        assertThat(writerBesideReaders.json().get("message").asText()).contains("already attached");
        assertThat(checked(admin.delete("/v1/instances/web-1/resources/reader2")).json().get("state").asText()).isEqualTo("removed");
        assertThat(checked(admin.delete("/v1/instances/plain")).json().get("state").asText()).isEqualTo("deleted");
    }

    @Test
    @Order(91)
    void adoptTakesOverARunningVmWithItsDevices() throws Exception {
        Path socket = h.dataDir.resolve("sockets/foreign.sock");
        Path disk = h.dataDir.resolve("volumes/foreign.raw");
        Files.write(disk, new byte[1 << 20]);
        Process p = new ProcessBuilder(h.chBin.toString(), "--api-socket", "path=" + socket, "--kernel", h.kernel(),
                "--cpus", "boot=1", "--memory", "size=256M", "--disk", "path=" + disk)
                .redirectErrorStream(true).redirectOutput(root.resolve("foreign.log").toFile()).start();
        extraVms.add(p);
        // the socket appears when the VMM binds it; adopting wants the VM booted behind it
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            try (RunningVm vm = new CloudHypervisor(h.chBin).reattach(new VmEndpoint(HypervisorKind.CLOUD_HYPERVISOR, socket, p.pid(), null))) {
                return vm.snapshot().state() == VmRunState.RUNNING;
            }
        });
        assertError(stranger.post("/v1/instances/adopt", Map.of("name", "foreign", "apiSocket", socket.toString())), 403, "forbidden", null);
        assertError(admin.post("/v1/instances/adopt", Map.of("name", "foreign", "apiSocket", "/run/other.sock")), 403, "policy_denied", "apiSocket");
        Reply adopted = checked(admin.post("/v1/instances/adopt", Map.of("name", "foreign", "apiSocket", socket.toString())));
        assertThat(adopted.status()).as(adopted.toString()).isEqualTo(201);
        assertThat(adopted.json().get("owner").asText()).isEqualTo(admin.address());
        assertThat(adopted.json().get("resources")).isNotEmpty();
        Reply added = checked(admin.post("/v1/instances/foreign/disks", Map.of("diskId", "extra", "path", "extra.raw", "sizeBytes", 1 << 20)));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertError(admin.post("/v1/instances/adopt", Map.of("name", "again", "apiSocket", socket.toString())), 409, "conflict", "apiSocket");
    }

    @Test
    @Order(99)
    void deleteNeedsTheOwnerAndPurgesOnlyWhenAsked() throws Exception {
        assertError(stranger.delete("/v1/instances/web-1"), 403, "forbidden", null);
        Reply revoked = checked(admin.delete("/v1/instances/web-1/grants/" + stranger.address()));
        assertThat(revoked.json().get("level").asText()).isEqualTo("manager");
        assertError(admin.delete("/v1/instances/web-1/grants/" + stranger.address()), 404, "not_found", null);
        long pid = h.instance("web-1").endpoint().pid();
        Reply deleted = checked(admin.delete("/v1/instances/web-1?purge=true"));
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(ph -> !ph.isAlive()).orElse(true));
        assertThat(Files.exists(h.dataDir.resolve("volumes/data1.raw"))).as("created for the instance: purged").isFalse();
        assertThat(Files.exists(h.dataDir.resolve("volumes/vmlinuz"))).as("not created by the service: kept").isTrue();
        assertError(admin.get("/v1/instances/web-1"), 404, "not_found", null);
    }
}
