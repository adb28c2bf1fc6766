package dev.form.vmm;

import dev.form.core.api.CreateInstanceRequest;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.testing.ServiceHarness;
import dev.form.vmm.testing.SignedClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A VM whose process died while the service was down comes back at service start when marked autostart, whole. */
class AutostartTest {
    @TempDir
    Path tmp;

    @Test
    void autostartInstancesComeBackWithTheirResourcesOthersAreRecordedStopped() throws Exception {
        try (ServiceHarness h = new ServiceHarness(tmp, Duration.ofSeconds(5)).start()) {
            SignedClient admin = h.adminClient();
            CreateInstanceRequest auto = new CreateInstanceRequest("auto", h.kernel(), null, null, null, 1, 2, 256L << 20, null, null, true);
            assertThat(admin.post("/v1/instances", auto).status()).isEqualTo(201);
            assertThat(admin.post("/v1/instances", h.createRequest("manual")).status()).isEqualTo(201);
            SignedClient.Reply disk = admin.post("/v1/instances/auto/disks", Map.of("diskId", "keep", "path", "keep.raw", "sizeBytes", 1 << 20));
            assertThat(disk.status()).isEqualTo(201);

            long autoPid = h.instance("auto").endpoint().pid();
            long manualPid = h.instance("manual").endpoint().pid();
            h.server().close(); // the service goes down (VMs keep running) ...
            ProcessHandle.of(autoPid).orElseThrow().destroyForcibly(); // ... and so do both VMs (a host reboot)
            ProcessHandle.of(manualPid).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(autoPid).isEmpty() && ProcessHandle.of(manualPid).isEmpty());

            h.start();
            admin = h.adminClient();
            InstanceRecord back = h.instance("auto");
            assertThat(back.state().wireName()).isEqualTo("running");
            assertThat(back.endpoint().pid()).isNotEqualTo(autoPid);
            SignedClient.Reply shown = admin.get("/v1/instances/auto");
            assertThat(shown.json().get("resources").get(0).get("id").asText()).isEqualTo("keep");
            assertThat(shown.json().get("resources").get(0).get("state").asText()).isEqualTo("attached");
            assertThat(admin.get("/v1/instances/manual").json().get("state").asText()).isEqualTo("stopped");
            SignedClient.Reply audit = admin.get("/v1/instances/manual/audit");
            assertThat(audit.json().findValuesAsText("detail")).anyMatch(d -> d.contains("hypervisor process is gone"));
        }
    }
}
