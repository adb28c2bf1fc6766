package dev.form.testkit.chsim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One simulator serves a thousand VMMs, each on its own socket, independently. */
class SimScaleTest {
    @TempDir
    Path dir;

    @Test
    void aThousandVmmsInOneProcess() throws IOException {
        SimFixture fx = new SimFixture(dir);
        try (CloudHypervisorSimulator sim = CloudHypervisorSimulator.start(SimulatorOptions.defaults())) {
            List<SimulatedVmm> vmms = new ArrayList<>();
            for (int i = 0; i < 1000; i++) vmms.add(sim.serve(dir.resolve("vm" + i + ".sock")));
            assertThat(sim.vmms()).hasSize(1000);
            for (SimulatedVmm v : vmms) assertThat(SimFixture.get(v, "vmm.ping").status()).isEqualTo(200);
            // State is per VMM: creating a VM on one leaves the others empty.
            assertThat(SimFixture.put(vmms.get(500), "vm.create", fx.vmConfig()).status()).isEqualTo(204);
            assertThat(vmms.get(500).state()).isEqualTo("Created");
            assertThat(vmms.get(499).state()).isEqualTo("none");
            assertThat(SimFixture.get(vmms.get(501), "vm.info").status()).isEqualTo(404);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".sock"))).isEmpty();
        }
    }
}
