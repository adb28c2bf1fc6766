package dev.form.vmm.reconcile;

import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.testing.ServiceHarness;
import dev.form.vmm.testing.SignedClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A VM whose hypervisor process dies while the service runs is noticed by the periodic reconciliation — each VM
 * is asked whether it is alive once in {@link Reconciler#LIVENESS_ROUNDS} rounds, not every round — and recorded
 * as stopped, with an audit line saying why; the other VMs are left alone.
 */
class VmDeathTest {
    @TempDir
    Path root;

    @Test
    void aDeadHypervisorProcessIsRecordedAsStoppedWithinTheLivenessPeriod() throws Exception {
        try (ServiceHarness harness = new ServiceHarness(root, Duration.ofSeconds(5)).start()) {
            SignedClient admin = harness.adminClient();
            for (String name : new String[] {"doomed", "other"}) {
                SignedClient.Reply created = admin.post("/v1/instances", harness.createRequest(name));
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
            }
            InstanceRecord doomed = harness.instance("doomed");
            long pid = doomed.endpoint().pid();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> admin.get("/v1/instances/doomed").json().get("state").asText().equals("stopped"));
            Duration noticed = Duration.ofNanos(System.nanoTime() - started);
            // LIVENESS_ROUNDS rounds of 500 ms, and a round's own time
            assertThat(noticed).isLessThan(Duration.ofMillis(Reconciler.LIVENESS_ROUNDS * 500L + 3000));
            assertThat(admin.get("/v1/instances/doomed/audit").text()).contains("the guest powered off");
            assertThat(admin.get("/v1/instances/other").json().get("state").asText()).isEqualTo("running");
        }
    }
}
