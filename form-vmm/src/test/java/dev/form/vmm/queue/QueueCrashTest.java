package dev.form.vmm.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.QueuedRequest;
import dev.form.core.keys.Credentials;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisor;
import dev.form.vmm.VmmServer;
import dev.form.vmm.pipeline.FaultPoints;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.registry.NonceStore;
import dev.form.vmm.registry.Registry;
import dev.form.vmm.testing.ChildService;
import dev.form.vmm.testing.ServiceHarness;
import dev.form.vmm.testing.SignedClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * kill -9 of the service at each step of a queued request — accepted, started, intent recorded,
 * hypervisor called, result recorded, dispatcher answered — and a plain SIGKILL while requests are in
 * flight; after the restart every accepted request has exactly one recorded outcome and at most one
 * effect, checked in the registry and in the (simulated) hypervisor itself.
 */
class QueueCrashTest {
    @TempDir
    Path tmp;

    private static final List<String> STEPS = List.of(
            QueueFaultPoints.AFTER_ACCEPT,
            QueueFaultPoints.BEFORE_DISPATCH,
            FaultPoints.ADD_AFTER_INTENT,
            FaultPoints.ADD_AFTER_HYPERVISOR,
            FaultPoints.ADD_AFTER_RESULT,
            QueueFaultPoints.BEFORE_OUTCOME);

    @Test
    void everyAcceptedRequestEndsWithExactlyOneOutcomeAndAtMostOneEffect() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path chBin = ServiceHarness.simulatorLauncher(tmp.resolve("bin"));
        Path log = tmp.resolve("service.log");
        int port = ChildService.freePort(); // every restart listens where the clients expect it
        Credentials admin = Credentials.generate(new SecureRandom());
        ServiceHarness kernelSource = new ServiceHarness(tmp, Duration.ofSeconds(5));
        String kernel;
        String instanceId;
        try (ChildService s = ChildService.start(dataDir, chBin, admin.address(), port, log)) {
            SignedClient client = new SignedClient(s.baseUrl(), admin);
            kernel = kernelSource.kernel();
            var create = new dev.form.core.api.CreateInstanceRequest("crash-1", kernel, null, "console=ttyS0", null, 1, 4, 256L << 20, 1024L << 20, null, null);
            SignedClient.Reply created = client.post("/v1/instances", create);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            instanceId = created.json().get("id").asText();
            s.kill();
        }

        Map<String, QueuedRequest> accepted = new LinkedHashMap<>();
        for (String step : STEPS) {
            try (ChildService s = ChildService.start(dataDir, chBin, admin.address(), port, log, step)) {
                SignedClient client = new SignedClient(s.baseUrl(), admin);
                QueuedRequest q = EmbeddedQueueTest.addDisk(admin, instanceId, "disk-" + STEPS.indexOf(step));
                SignedClient.Reply r = null;
                try {
                    r = EmbeddedQueueTest.submit(client, q);
                } catch (AssertionError connectionLost) {
                    // A halt right after the commit loses the answer; so may one in the worker, which takes the
                    // request as soon as it is committed, on another thread than the one writing the 202.
                    // Either way the restarted service must know the request (awaited below).
                    assertThat(step).as("only a halt before the answer loses it: " + connectionLost.getMessage())
                            .isIn(QueueFaultPoints.AFTER_ACCEPT, QueueFaultPoints.BEFORE_DISPATCH);
                }
                if (r != null) assertThat(r.status()).as(step + ": " + r).isEqualTo(202);
                accepted.put(step, q);
                assertThat(s.awaitExit(Duration.ofSeconds(30))).as("halted at " + step + "; log:\n" + s.tail()).isEqualTo(FaultPoints.HALT_STATUS);
            }
            // Restarted without faults, the service finishes what it had accepted (checked in full below).
            try (ChildService s = ChildService.start(dataDir, chBin, admin.address(), port, log)) {
                JsonNode outcome = EmbeddedQueueTest.awaitFinished(new SignedClient(s.baseUrl(), admin), accepted.get(step).nonce());
                assertThat(outcome.get("state").asText()).as("after a crash at %s: %s", step, outcome).isIn("done", "failed");
                s.kill();
            }
        }

        // A plain SIGKILL with several requests in flight.
        List<QueuedRequest> inFlight = new ArrayList<>();
        try (ChildService s = ChildService.start(dataDir, chBin, admin.address(), port, log)) {
            SignedClient client = new SignedClient(s.baseUrl(), admin);
            for (int i = 0; i < 6; i++) {
                QueuedRequest q = EmbeddedQueueTest.addDisk(admin, instanceId, "burst-" + i);
                assertThat(EmbeddedQueueTest.submit(client, q).status()).isEqualTo(202);
                inFlight.add(q);
            }
            s.kill();
        }

        Map<String, Integer> expectedDisks = new LinkedHashMap<>();
        List<String> notApplied = new ArrayList<>();
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        try (ChildService s = ChildService.start(dataDir, chBin, admin.address(), port, log)) {
            SignedClient client = new SignedClient(s.baseUrl(), admin);
            List<QueuedRequest> all = new ArrayList<>(accepted.values());
            all.addAll(inFlight);
            for (QueuedRequest q : all) {
                JsonNode outcome = EmbeddedQueueTest.awaitFinished(client, q.nonce());
                String diskId = new String(java.util.Base64.getDecoder().decode(q.bodyBase64())).replaceAll(".*\"diskId\":\"([^\"]+)\".*", "$1");
                if (outcome.get("state").asText().equals("done")) {
                    assertThat(outcome.get("status").asInt()).isEqualTo(201);
                    assertThat(outcome.get("outcome").get("id").asText()).isEqualTo(diskId);
                    expectedDisks.put(diskId, 1);
                } else {
                    // Settled by reconciliation as "not done": then it must have no effect at all (checked below).
                    assertThat(outcome.get("state").asText()).as("outcome of %s: %s", q.target(), outcome).isEqualTo("failed");
                    notApplied.add(diskId);
                }
                outcomes.put(q.nonce(), outcome.get("status").asInt());
            }
            s.kill();
        }

        try (Registry registry = Registry.open(dataDir.resolve(VmmServer.REGISTRY_FILE), QueueMigrations.all())) {
            for (QueuedRequest q : accepted.values()) assertOneOutcome(registry, q, outcomes.get(q.nonce()));
            for (QueuedRequest q : inFlight) assertOneOutcome(registry, q, outcomes.get(q.nonce()));
            InstanceRecord instance = registry.read(c -> InstanceStore.byId(c, instanceId)).orElseThrow();
            Map<String, Integer> recorded = new LinkedHashMap<>();
            registry.read(c -> {
                try (var st = c.prepareStatement("SELECT id FROM resources WHERE instance_id = ? AND state <> 'removed'")) {
                    st.setString(1, instanceId);
                    var rs = st.executeQuery();
                    while (rs.next()) recorded.merge(rs.getString(1), 1, Integer::sum);
                }
                return null;
            });
            assertThat(recorded).as("registry: each applied disk recorded once").containsAllEntriesOf(expectedDisks);
            assertThat(recorded).as("registry: nothing of the requests that failed").doesNotContainKeys(notApplied.toArray(String[]::new));
            assertThat(expectedDisks.size()).as("most requests are applied; at most the one halted before the hypervisor call is not")
                    .isGreaterThanOrEqualTo(STEPS.size() + 6 - 2);
            try (RunningVm vm = new CloudHypervisor(chBin).reattach(instance.endpoint())) {
                Map<String, String> devices = vm.snapshot().devices();
                for (String disk : expectedDisks.keySet()) {
                    assertThat(devices).as("hypervisor holds %s exactly once", disk).containsKey(disk);
                }
                assertThat(devices).as("hypervisor holds nothing of the failed requests").doesNotContainKeys(notApplied.toArray(String[]::new));
                assertThat(devices.keySet().stream().filter(k -> k.startsWith("disk-") || k.startsWith("burst-")).count())
                        .as("no extra attachments: %s", devices).isEqualTo(expectedDisks.size());
            } finally {
                ProcessHandle.of(instance.endpoint().pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (RuntimeException e) {
            fail("checking the registry failed", e);
        }
    }

    private static void assertOneOutcome(Registry registry, QueuedRequest q, int status) {
        registry.read(c -> {
            try (var st = c.prepareStatement("SELECT COUNT(*), MIN(state), MIN(status) FROM queued_requests WHERE request_id = ?")) {
                st.setString(1, q.nonce());
                var rs = st.executeQuery();
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getString(2)).isEqualTo(status == 201 ? "done" : "failed");
                assertThat(rs.getInt(3)).isEqualTo(status);
            }
            assertThat(NonceStore.find(c, q.nonce())).as("the dispatcher's record of %s agrees", q.nonce()).isPresent()
                    .get().extracting(NonceStore.SeenNonce::status).isEqualTo(status);
            return null;
        });
    }
}
