package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.cloudhypervisor.model.DeviceNode;
import dev.form.hypervisor.cloudhypervisor.model.VmInfo;
import dev.form.testkit.chsim.ApiVersion;
import dev.form.testkit.chsim.SimulatedVmm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** remove-device answers at once; the device goes when the guest ejects it, and the wait for that is bounded. */
class RemovalWaitTest {

    @TempDir
    Path dir;

    private CloudHypervisorVm boot(SimulatedVmm vmm) throws Exception {
        CloudHypervisorClient client = new CloudHypervisorClient(vmm.socket());
        var config = SpecMapping.vm(SimulatorFixture.launchSpec(dir, 1, false, List.of()), 1, List.of());
        client.createVm(config);
        client.bootVm();
        return new CloudHypervisorVm(new VmEndpoint(HypervisorKind.CLOUD_HYPERVISOR, vmm.socket(), 0, dir.resolve("c.log")),
                client, Duration.ofSeconds(1), VmLimits.of(config));
    }

    @Test
    void waitsUntilTheGuestHasEjectedTheDevice() throws Exception {
        try (SimulatorFixture sim = new SimulatorFixture(ApiVersion.V54, Duration.ofMillis(400), true);
             CloudHypervisorVm vm = boot(sim.serve(dir.resolve("api.sock")))) {
            Path image = SimulatorFixture.rawImage(dir, "d.raw");
            vm.addDisk(SimulatorFixture.rawDisk("data1", image, false));
            long t0 = System.nanoTime();
            vm.removeDevice("data1");
            // Still in the device tree (not in the config) until the eject.
            assertThat(vm.snapshot().lists("data1")).isTrue();
            assertThat(vm.client().info().config().disksOrEmpty()).noneMatch(d -> "data1".equals(d.id()));

            assertThat(vm.awaitRemoval("data1", Duration.ofSeconds(10))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
            assertThat(vm.client().info().deviceTreeOrEmpty()).doesNotContainKeys("data1", "_virtio-pci-data1");
            // Id and image are free again.
            assertThat(vm.addDisk(SimulatorFixture.rawDisk("data1", image, false)).pciAddress()).isNotBlank();
            sim.assertRequestsConform();
        }
    }

    @Test
    void givesUpAtItsLimitWhenTheGuestNeverEjects() throws Exception {
        try (SimulatorFixture sim = new SimulatorFixture(ApiVersion.V54, Duration.ofMillis(50), false);
             CloudHypervisorVm vm = boot(sim.serve(dir.resolve("api.sock")))) {
            vm.addDisk(SimulatorFixture.rawDisk("stuck", SimulatorFixture.rawImage(dir, "d.raw"), false));
            vm.removeDevice("stuck");
            long t0 = System.nanoTime();
            assertThat(vm.awaitRemoval("stuck", Duration.ofMillis(500))).isFalse();
            Duration waited = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(waited).isBetween(Duration.ofMillis(450), Duration.ofSeconds(3));
            assertThat(vm.snapshot().lists("stuck")).isTrue();
            sim.assertRequestsConform();
        }
    }

    @Test
    void aColdRemovalIsImmediate() throws Exception {
        try (SimulatorFixture sim = new SimulatorFixture(ApiVersion.V54, Duration.ofSeconds(30), true);
             CloudHypervisorClient client = new CloudHypervisorClient(sim.serve(dir.resolve("api.sock")).socket())) {
            client.createVm(SpecMapping.vm(SimulatorFixture.launchSpec(dir, 1, false,
                    List.of(SimulatorFixture.rawDisk("boot", SimulatorFixture.rawImage(dir, "b.raw"), false))), 1, List.of()));
            client.removeDevice("boot");
            assertThat(client.awaitRemoval("boot", Duration.ofMillis(200))).isTrue();
            sim.assertRequestsConform();
        }
    }

    @Test
    void aDeviceCountsAsPresentWhileEitherOfItsNodesRemains() {
        DeviceNode pci = new DeviceNode("_virtio-pci-d", List.of(), null, List.of(), "0000:00:05.0");
        DeviceNode child = new DeviceNode("d", List.of(), "_virtio-pci-d", List.of(), null);
        assertThat(CloudHypervisorClient.listsDevice(new VmInfo(null, "Running", 0L, Map.of("_virtio-pci-d", pci)), "d")).isTrue();
        assertThat(CloudHypervisorClient.listsDevice(new VmInfo(null, "Running", 0L, Map.of("d", child)), "d")).isTrue();
        assertThat(CloudHypervisorClient.listsDevice(new VmInfo(null, "Running", 0L, Map.of()), "d")).isFalse();
    }
}
