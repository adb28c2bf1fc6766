package dev.form.testkit.chsim;

import dev.form.testkit.SharedReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** With specForValidation set, every body the simulator receives is checked against the official spec. */
class SimSpecValidationTest {
    @TempDir
    Path dir;

    @Test
    void recordsViolationsOfReceivedBodiesOnly() throws IOException {
        SimFixture fx = new SimFixture(dir);
        SimulatorOptions o = SimulatorOptions.defaults().withSpecForValidation(SharedReference.cloudHypervisorSpec());
        try (CloudHypervisorSimulator sim = CloudHypervisorSimulator.start(o)) {
            SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
            SimFixture.createAndBoot(vmm, fx.vmConfig());
            Path img = fx.rawImage("a.raw");
            // ch-remote's rate-limited disk: valid once the spec's nullable gap is handled.
            SimFixture.put(vmm, "vm.add-disk", "{\"id\":\"data1\",\"path\":\"" + img + "\",\"rate_limiter_config\":{\"bandwidth\":"
                    + "{\"size\":1048576,\"one_time_burst\":0,\"refill_time\":100},\"ops\":null},\"image_type\":\"Raw\"}");
            assertThat(vmm.specViolations()).isEmpty();
            SimFixture.put(vmm, "vm.add-disk", "{\"id\":\"d2\",\"path\":\"" + img + "\",\"readonly\":\"yes\"}");
            assertThat(vmm.specViolations()).singleElement().asString()
                    .startsWith("PUT /vm.add-disk: ").contains("$.readonly");
            SimFixture.put(vmm, "vm.boot", "{}");
            assertThat(vmm.specViolations()).hasSize(2).last().asString().isEqualTo("PUT /vm.boot: /vm.boot takes no request body");
        }
    }

    @Test
    void theSimulatorsOwnResponsesMatchTheSpecSchemas() throws IOException {
        SimFixture fx = new SimFixture(dir);
        dev.form.testkit.chspec.CloudHypervisorSpec spec = dev.form.testkit.chspec.CloudHypervisorSpec.load(SharedReference.cloudHypervisorSpec());
        try (CloudHypervisorSimulator sim = CloudHypervisorSimulator.start(SimulatorOptions.defaults())) {
            SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
            assertThat(spec.validate("VmmPingResponse", SimFixture.get(vmm, "vmm.ping").body())).isEmpty();
            SimFixture.createAndBoot(vmm, fx.vmConfig(2, 2, true, "\"platform\":{\"num_pci_segments\":2}"));
            RawClient.Response added = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson(null, fx.rawImage("a.raw"), null));
            assertThat(spec.validate("PciDeviceInfo", added.body())).isEmpty();
            String info = SimFixture.get(vmm, "vm.info").body();
            assertThat(info).contains("\"parent\":");
            assertThat(spec.validate("VmInfo", info)).isEmpty();
        }
    }

    @Test
    void withoutSpecNothingIsRecorded() throws IOException {
        try (CloudHypervisorSimulator sim = CloudHypervisorSimulator.start(SimulatorOptions.defaults())) {
            SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
            SimFixture.put(vmm, "vm.add-disk", "{\"readonly\":\"yes\"}");
            assertThat(vmm.specViolations()).isEmpty();
            assertThat(vmm.requestLog()).hasSize(1);
        }
    }
}
