package dev.form.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.auth.RequestSigner;
import dev.form.core.auth.SignedHeaders;
import dev.form.core.keys.Credentials;
import dev.form.core.model.ResourceState;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisor;
import dev.form.vmm.pipeline.FaultPoints;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.registry.OpenRequestStore;
import dev.form.vmm.registry.Registry;
import dev.form.vmm.registry.ResourceRecord;
import dev.form.vmm.registry.ResourceStore;
import dev.form.vmm.testing.ChildService;
import dev.form.vmm.testing.ServiceHarness;
import dev.form.vmm.testing.SignedClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash safety: the service runs as a separate JVM; a fault point halts it (exactly like kill -9) at
 * each step of the pipeline; a new service on the same data directory reconciles; then the registry
 * and the hypervisor agree, the request has exactly one recorded outcome (a retry gets it), and
 * nothing is attached twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashSafetyTest {
    private Path root;
    private Path dataDir;
    private Path chBin;
    private Credentials admin;
    private int port;
    private Path log;
    private ChildService service;

    @BeforeAll
    void setUp() throws Exception {
        root = Files.createTempDirectory("form-vmm-crash");
        dataDir = root.resolve("data");
        chBin = ServiceHarness.simulatorLauncher(root.resolve("bin"));
        admin = Credentials.generate(new SecureRandom());
        port = ChildService.freePort();
        log = root.resolve("service.log");
        service = ChildService.start(dataDir, chBin, admin.address(), port, log);
        Files.write(dataDir.resolve("volumes/vmlinuz"), new byte[4096]);
        SignedClient.Reply created = client().post("/v1/instances", Map.of("name", "vm", "kernel", "vmlinuz", "memoryBytes", 256L << 20));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }

    @AfterAll
    void tearDown() throws Exception {
        Long pid = null;
        try (Registry r = Registry.open(dataDir.resolve(VmmServer.REGISTRY_FILE), List.of())) {
            InstanceRecord i = r.read(c -> InstanceStore.byName(c, "vm")).orElse(null);
            if (i != null && i.endpoint() != null) pid = i.endpoint().pid();
        } finally {
            service.close();
        }
        if (pid != null) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        ServiceHarness.killProcessesUsing(dataDir);
    }

    private SignedClient client() {
        return new SignedClient(service.baseUrl(), admin);
    }

    private void restart(String... faults) throws Exception {
        service.close();
        service = ChildService.start(dataDir, chBin, admin.address(), port, log, faults);
    }

    /** A request signed once, so it can be sent again verbatim after the crash. */
    private record Signed(String method, String target, byte[] body, SignedHeaders headers) {
        SignedClient.Reply sendWith(SignedClient c) {
            return c.sendSigned(method, target, body, headers);
        }
    }

    private Signed sign(String method, String target, Object body) {
        byte[] bytes = SignedClient.bytes(body);
        return new Signed(method, target, bytes, RequestSigner.sign(admin, method, target, bytes, Duration.ofMinutes(4)));
    }

    /** Sends the request to a service armed with {@code fault}; the service halts; a clean one starts. */
    private void crashDuring(String fault, Signed request) throws Exception {
        restart(fault);
        try {
            request.sendWith(client());
        } catch (AssertionError expected) {
            // the connection broke: the JVM halted mid-request
        }
        assertThat(service.awaitExit(Duration.ofSeconds(30))).as("the fault point %s halted the service", fault).isEqualTo(FaultPoints.HALT_STATUS);
        restart();
    }

    private record State(Map<String, ResourceState> registry, Set<String> hypervisor, int openRequests) {
    }

    private State state() throws Exception {
        InstanceRecord inst;
        List<ResourceRecord> live;
        int open;
        try (Registry r = Registry.open(dataDir.resolve(VmmServer.REGISTRY_FILE), List.of())) {
            inst = r.read(c -> InstanceStore.byName(c, "vm")).orElseThrow();
            live = r.read(c -> ResourceStore.live(c, inst.id()));
            open = r.read(c -> OpenRequestStore.ofInstance(c, inst.id()).size());
        }
        Map<String, ResourceState> reg = new java.util.TreeMap<>();
        live.forEach(x -> reg.put(x.id(), x.state()));
        Set<String> hv;
        try (RunningVm vm = new CloudHypervisor(chBin).reattach(inst.endpoint())) {
            hv = new TreeSet<>(vm.snapshot().devices().keySet());
        }
        hv.removeIf(id -> id.startsWith("_") || inst.launch().bootDisks().stream().anyMatch(d -> d.id().equals(id)));
        return new State(reg, hv, open);
    }

    /** Registry and hypervisor agree: every live row is attached and listed, nothing else is listed. */
    private void assertAgree(State s) {
        assertThat(s.registry().values()).as("no open intent or pending removal remains: %s", s).allMatch(st -> st == ResourceState.ATTACHED);
        assertThat(s.hypervisor()).as("registry %s vs hypervisor %s", s.registry(), s.hypervisor()).isEqualTo(s.registry().keySet());
        assertThat(s.openRequests()).isZero();
    }

    private Signed addDisk(String id) {
        return sign("POST", "/v1/instances/vm/disks", Map.of("diskId", id, "path", id + ".raw", "sizeBytes", 1 << 20));
    }

    @Test
    @Order(1)
    void killedAfterTheIntentNothingIsAddedAndTheRetryGetsThatOutcome() throws Exception {
        Signed add = addDisk("a1");
        crashDuring(FaultPoints.ADD_AFTER_INTENT, add);
        State s = state();
        assertAgree(s);
        assertThat(s.registry()).doesNotContainKey("a1");
        SignedClient.Reply retry = add.sendWith(client());
        assertThat(retry.status()).as(retry.toString()).isEqualTo(500);
        assertThat(retry.json().get("message").asText()).contains("nothing was added");
        assertThat(Files.exists(dataDir.resolve("volumes/a1.raw"))).as("the image created for the lost intent is removed").isFalse();
        assertAgree(state());
    }

    @Test
    @Order(2)
    void killedAfterTheHypervisorCallTheDeviceIsRecordedOnce() throws Exception {
        Signed add = addDisk("a2");
        crashDuring(FaultPoints.ADD_AFTER_HYPERVISOR, add);
        State s = state();
        assertAgree(s);
        assertThat(s.registry()).containsEntry("a2", ResourceState.ATTACHED);
        SignedClient.Reply retry = add.sendWith(client());
        assertThat(retry.status()).as(retry.toString()).isEqualTo(201);
        assertThat(retry.json().get("id").asText()).isEqualTo("a2");
        assertThat(retry.json().get("pciAddress").isTextual()).isTrue();
        assertAgree(state());
    }

    @Test
    @Order(3)
    void killedAfterTheResultTheOutcomeIsThere() throws Exception {
        Signed add = addDisk("a3");
        crashDuring(FaultPoints.ADD_AFTER_RESULT, add);
        assertAgree(state());
        SignedClient.Reply retry = add.sendWith(client());
        assertThat(retry.status()).isEqualTo(201);
        assertThat(state().registry()).containsKey("a3");
    }

    @Test
    @Order(4)
    void killedDuringABatchNothingOfItIsKeptHalfway() throws Exception {
        Signed batch = sign("POST", "/v1/instances/vm/batch", List.of(
                Map.of("kind", "disk", "diskId", "b1", "path", "b1.raw", "sizeBytes", 1 << 20),
                Map.of("kind", "disk", "diskId", "b2", "path", "b2.raw", "sizeBytes", 1 << 20)));
        crashDuring(FaultPoints.ADD_AFTER_HYPERVISOR, batch);
        assertAgree(state());
        SignedClient.Reply retry = batch.sendWith(client());
        assertThat(retry.status()).isEqualTo(201);
        JsonNode views = retry.json();
        assertThat(views.findValuesAsText("id")).containsExactly("b1", "b2");
        assertThat(state().registry()).containsKeys("b1", "b2");
    }

    @Test
    @Order(5)
    void killedBetweenTwoElementsOfABatchTheFirstIsTakenOutAgain() throws Exception {
        Signed batch = sign("POST", "/v1/instances/vm/batch", List.of(
                Map.of("kind", "disk", "diskId", "c1", "path", "c1.raw", "sizeBytes", 1 << 20),
                Map.of("kind", "disk", "diskId", "c2", "path", "c2.raw", "sizeBytes", 1 << 20)));
        crashDuring(FaultPoints.ADD_BETWEEN_ELEMENTS, batch);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertAgree(state()));
        State s = state();
        assertThat(s.registry()).doesNotContainKeys("c1", "c2");
        assertThat(s.hypervisor()).doesNotContain("c1", "c2");
        // c1 was attached and is taken out again; c2 never was: the images the batch created go with both
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(List.of("c1.raw", "c2.raw")).noneMatch(f -> Files.exists(dataDir.resolve("volumes").resolve(f))));
        SignedClient.Reply retry = batch.sendWith(client());
        assertThat(retry.status()).as(retry.toString()).isEqualTo(500);
        assertThat(retry.json().get("message").asText()).contains("nothing was added");
    }

    @Test
    @Order(6)
    void killedAtEachStepOfARemovalItFinishesExactlyOnce() throws Exception {
        for (String fault : List.of(FaultPoints.REMOVE_AFTER_INTENT, FaultPoints.REMOVE_AFTER_HYPERVISOR, FaultPoints.REMOVE_AFTER_RELEASE)) {
            String id = "r" + fault.hashCode() % 1000;
            id = id.replace("-", "m");
            SignedClient.Reply added = addDisk(id).sendWith(client());
            assertThat(added.status()).as(added.toString()).isEqualTo(201);
            Signed remove = sign("DELETE", "/v1/instances/vm/resources/" + id, null);
            crashDuring(fault, remove);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertAgree(state()));
            assertThat(state().registry()).as(fault).doesNotContainKey(id);
            SignedClient.Reply retry = remove.sendWith(client());
            assertThat(retry.status()).as(fault + ": " + retry).isEqualTo(200);
            assertThat(retry.json().get("state").asText()).isIn("removed", "pending_removal");
        }
    }

    @Test
    @Order(7)
    void killMinus9WhileIdleLosesNothing() throws Exception {
        State before = state();
        service.kill();
        service = ChildService.start(dataDir, chBin, admin.address(), port, log);
        State after = state();
        assertThat(after).isEqualTo(before);
        assertAgree(after);
    }

    @Test
    @Order(8)
    void whenTheResultCannotBeRecordedTheDeviceIsTakenOutAgainAndARetryStartsAfresh() throws Exception {
        restart(FaultPoints.ADD_RESULT_WRITE);
        Signed add = addDisk("f1");
        SignedClient.Reply failed = add.sendWith(client());
        assertThat(failed.status()).as(failed.toString()).isEqualTo(500);
        assertThat(failed.json().get("message").asText()).contains("could not record the new resources and took them out again");
        State s = state();
        assertAgree(s);
        assertThat(s.registry()).doesNotContainKey("f1");
        assertThat(s.hypervisor()).doesNotContain("f1");
        assertThat(Files.exists(dataDir.resolve("volumes/f1.raw"))).as("the image the request created is removed with it").isFalse();

        restart();
        SignedClient.Reply retry = add.sendWith(client());
        assertThat(retry.status()).as("a 500 settles nothing, so the same request runs again: %s", retry).isEqualTo(201);
        assertThat(state().registry()).containsEntry("f1", ResourceState.ATTACHED);
        assertAgree(state());
    }
}
