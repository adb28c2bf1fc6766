package dev.form.hypervisor.cloudhypervisor;

import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import dev.form.core.model.RateLimit;
import dev.form.hypervisor.AttachedDevice;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.VmRunState;
import dev.form.hypervisor.VmSnapshot;
import dev.form.hypervisor.cloudhypervisor.model.DiskConfig;
import dev.form.hypervisor.cloudhypervisor.model.ImageType;
import dev.form.hypervisor.cloudhypervisor.model.PciDeviceInfo;
import dev.form.hypervisor.cloudhypervisor.model.VmInfo;
import dev.form.hypervisor.cloudhypervisor.model.VmResize;
import dev.form.testkit.chsim.ApiVersion;
import dev.form.testkit.chsim.SimulatedVmm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every call of the client against the simulator, over one reused connection, bodies checked against the spec. */
class CloudHypervisorClientSimulatorTest {

    static SimulatorFixture sim;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        sim = new SimulatorFixture(ApiVersion.V54, Duration.ofMillis(50), true);
    }

    @AfterAll
    static void stop() {
        if (sim != null) sim.close();
    }

    @AfterEach
    void everyBodyConformsToTheSpec() {
        sim.assertRequestsConform();
    }

    private CloudHypervisorVm bootedVm(SimulatedVmm vmm, int cpus, boolean shared, List<DiskSpec> disks) throws Exception {
        CloudHypervisorClient client = new CloudHypervisorClient(vmm.socket());
        var config = SpecMapping.vm(SimulatorFixture.launchSpec(dir, cpus, shared, disks), 1, List.of());
        client.createVm(config);
        client.bootVm();
        return new CloudHypervisorVm(new dev.form.hypervisor.VmEndpoint(dev.form.hypervisor.HypervisorKind.CLOUD_HYPERVISOR,
                vmm.socket(), 0, dir.resolve("run/console.log")), client, Duration.ofSeconds(1), VmLimits.of(config));
    }

    @Test
    void drivesAWholeLifecycleOverOneConnection() throws Exception {
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        Path root = SimulatorFixture.rawImage(dir, "root.raw");
        try (CloudHypervisorClient client = new CloudHypervisorClient(vmm.socket())) {
            assertThat(client.ping().version()).isEqualTo("54.0.0");
            assertThat(client.version().major()).isEqualTo(54);

            var config = SpecMapping.vm(SimulatorFixture.launchSpec(dir, 2, true, List.of(SimulatorFixture.rawDisk("root", root, false))), 1, List.of());
            client.createVm(config);
            VmInfo created = client.info();
            assertThat(created.state()).isEqualTo("Created");
            assertThat(created.deviceTree()).isNull();

            // Cold add: 204, no id, no address.
            Path cold = SimulatorFixture.rawImage(dir, "cold.raw");
            assertThat(client.addDisk(DiskConfig.withDefaults("cold", cold.toString(), ImageType.Raw))).isEmpty();

            client.bootVm();
            VmInfo running = client.info();
            assertThat(running.state()).isEqualTo("Running");
            assertThat(running.deviceTree()).containsKeys("root", "_virtio-pci-root", "cold", "_virtio-pci-cold");
            assertThat(running.deviceTree().get("root").parent()).isEqualTo("_virtio-pci-root");
            assertThat(running.config().disksOrEmpty()).extracting(DiskConfig::imageType).containsOnly(ImageType.Raw);

            Path data = SimulatorFixture.rawImage(dir, "data.raw");
            Optional<PciDeviceInfo> hot = client.addDisk(DiskConfig.withDefaults("data1", data.toString(), ImageType.Raw).withSerial("SN1"));
            assertThat(hot).isPresent();
            assertThat(hot.get().id()).isEqualTo("data1");
            assertThat(hot.get().bdf()).matches("0000:00:[0-9a-f]{2}\\.0");

            client.resize(new VmResize(3, null, null));
            assertThat(client.info().config().cpus().bootVcpus()).isEqualTo(3);
            client.pauseVm();
            assertThat(client.info().state()).isEqualTo("Paused");
            client.resumeVm();
            client.shutdownVm();
            assertThat(client.info().state()).isEqualTo("Created");
            client.deleteVm();
            assertThatThrownBy(client::info).isInstanceOfSatisfying(HypervisorException.class, e -> {
                assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                assertThat(e.status()).isEqualTo(404);
            });
            client.shutdownVmm();
        }
        vmm.terminated().get(10, java.util.concurrent.TimeUnit.SECONDS); // the VMM exits just after its answer
        assertThat(vmm.isTerminated()).isTrue();
        assertThat(sim.putsSent()).anyMatch(l -> l.startsWith("PUT /api/v1/vm.add-disk {\"id\":\"data1\""));
    }

    @Test
    void hotAddsEveryKindAndSnapshotsThemByFormIds() throws Exception {
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        Path root = SimulatorFixture.rawImage(dir, "root.raw");
        try (CloudHypervisorVm vm = bootedVm(vmm, 2, true, List.of(SimulatorFixture.rawDisk("root", root, false)))) {
            AttachedDevice disk = vm.addDisk(new DiskSpec("data1", SimulatorFixture.rawImage(dir, "d.raw").toString(), ImageFormat.RAW,
                    false, true, false, "SERIAL-1", 2, 256, new RateLimit(1 << 20, 0, 100), new RateLimit(1000, 100, 1000)));
            Path vfsd = dir.resolve("vfsd.sock");
            try (ServerSocketChannel virtiofsd = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                virtiofsd.bind(UnixDomainSocketAddress.of(vfsd));
                AttachedDevice fs = vm.addFs(new FsSpec("share0", "share", vfsd.toString(), null, null));
                assertThat(fs.id()).isEqualTo("share0");
                assertThat(fs.pciAddress()).isNotBlank();
            }
            Path sysfs = Files.createDirectories(dir.resolve("sys/bus/pci/devices/0000:01:00.0"));
            AttachedDevice gpu = vm.addDevice(new DeviceSpec("gpu0", sysfs + "/", "0000:01:00.0", false));

            VmSnapshot s = vm.snapshot();
            assertThat(s.state()).isEqualTo(VmRunState.RUNNING);
            assertThat(s.vcpus()).isEqualTo(2);
            assertThat(s.memoryBytes()).isEqualTo(512L << 20);
            assertThat(s.devices().keySet()).containsExactlyInAnyOrder("root", "data1", "share0", "gpu0")
                    .noneMatch(id -> id.startsWith("_virtio-pci-") || id.startsWith("__"));
            assertThat(s.devices()).containsEntry("data1", disk.pciAddress()).containsEntry("gpu0", gpu.pciAddress());
            assertThat(s.devices().values()).doesNotHaveDuplicates().allMatch(a -> a.matches("0000:00:[0-9a-f]{2}\\.0"));
        }
        assertThat(sim.putsSent()).anyMatch(l -> l.contains("\"rate_limiter_config\":{\"bandwidth\":{\"size\":1048576,\"one_time_burst\":0,\"refill_time\":100},\"ops\":{\"size\":1000,\"one_time_burst\":100,\"refill_time\":1000}}"));
    }

    /** A refusal before sending: kind INVALID, naming the wire field, with the driver's own check as its cause. */
    private static void assertInvalid(HypervisorException e, String field) {
        assertThat(e.kind()).isEqualTo(Kind.INVALID);
        assertThat(e.getMessage()).startsWith(field + ": ");
        assertThat(e.getCause()).isInstanceOfSatisfying(InvalidConfigException.class, c -> assertThat(c.field()).isEqualTo(field));
    }

    @Test
    void refusesBeforeSendingWhatTheServerWouldRefuse() throws Exception {
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        try (CloudHypervisorVm vm = bootedVm(vmm, 1, false, List.of())) {
            int before = vmm.requestLog().size();
            Path img = SimulatorFixture.rawImage(dir, "d.raw");
            assertThatThrownBy(() -> vm.addDisk(new DiskSpec("d", img.toString(), ImageFormat.RAW, false, false, false, null, 2, null, null, null)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertInvalid(e, "disk.num_queues"))
                    .hasMessageContaining("must not exceed the VM's 1 boot vCPUs");
            assertThatThrownBy(() -> vm.addFs(new FsSpec("fs0", "share", "/run/vfsd.sock", null, null)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertInvalid(e, "fs"))
                    .hasMessageContaining("shared memory");
            assertThatThrownBy(() -> vm.addDisk(new DiskSpec("d", img.toString(), ImageFormat.RAW, false, false, false, "x".repeat(21), null, null, null, null)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertInvalid(e, "disk.serial"));
            assertThatThrownBy(() -> vm.addDisk(new DiskSpec("d", img.toString(), ImageFormat.RAW, false, false, true, null, null, null, null, null)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertInvalid(e, "disk.iommu"));
            assertThat(vmm.requestLog()).hasSize(before);
        }
    }

    @Test
    void surfacesTheServersRefusalsWithTheirChain() throws Exception {
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        try (CloudHypervisorVm vm = bootedVm(vmm, 1, false, List.of())) {
            assertThatThrownBy(() -> vm.addDisk(SimulatorFixture.rawDisk("gone", dir.resolve("absent.raw"), false)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.REFUSED);
                        assertThat(e.status()).isEqualTo(500);
                        assertThat(e.chain()).startsWith("Error from API", "The disk could not be added to the VM").contains("Cannot open disk path");
                    });
            Path shared = SimulatorFixture.rawImage(dir, "shared.raw");
            vm.addDisk(SimulatorFixture.rawDisk("rw1", shared, false));
            assertThatThrownBy(() -> vm.addDisk(SimulatorFixture.rawDisk("rw2", shared, false)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.REFUSED);
                        assertThat(String.join(" ", e.chain())).contains("Cannot lock images");
                    });
            assertThatThrownBy(() -> vm.addDisk(SimulatorFixture.rawDisk("rw1", SimulatorFixture.rawImage(dir, "other.raw"), false)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
        }
    }

    @Test
    void anExhaustedPciSegmentIsAConflict() throws Exception {
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        Path image = SimulatorFixture.rawImage(dir, "ro.raw");
        try (CloudHypervisorVm vm = bootedVm(vmm, 1, false, List.of())) {
            HypervisorException full = null;
            for (int i = 0; i < 40 && full == null; i++) {
                try {
                    vm.addDisk(SimulatorFixture.rawDisk("ro" + i, image, true));
                } catch (HypervisorException e) {
                    full = e;
                }
            }
            assertThat(full).isNotNull();
            assertThat(full.kind()).isEqualTo(Kind.CONFLICT);
            assertThat(vm.snapshot().devices()).hasSizeLessThanOrEqualTo(32);
        }
    }

    @Test
    void spreadsHotAddsOverThePciSegments() throws Exception {
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        try (CloudHypervisorClient client = new CloudHypervisorClient(vmm.socket())) {
            var config = SpecMapping.vm(SimulatorFixture.launchSpec(dir, 1, false, List.of()), 2, List.of());
            client.createVm(config);
            client.bootVm();
            CloudHypervisorVm vm = new CloudHypervisorVm(null, client, Duration.ofSeconds(1), VmLimits.of(config));
            Path image = SimulatorFixture.rawImage(dir, "ro.raw");
            List<String> addresses = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) addresses.add(vm.addDisk(SimulatorFixture.rawDisk("ro" + i, image, true)).pciAddress());
            assertThat(addresses).extracting(a -> a.substring(0, 4)).containsExactly("0000", "0001", "0000", "0001");
            assertThat(addresses).doesNotHaveDuplicates();
        }
    }
}
