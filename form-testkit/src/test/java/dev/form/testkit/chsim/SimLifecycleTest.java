package dev.form.testkit.chsim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** VM states and the status of every lifecycle call per release (api-notes §1.4 table, §2.13 matrix). */
class SimLifecycleTest {
    @TempDir
    Path dir;
    SimFixture fx;
    CloudHypervisorSimulator sim;

    @BeforeEach
    void setUp() throws IOException {
        fx = new SimFixture(dir);
    }

    @AfterEach
    void tearDown() {
        if (sim != null) sim.close();
    }

    private SimulatedVmm vmm(ApiVersion v) {
        sim = CloudHypervisorSimulator.start(SimulatorOptions.defaults().withVersion(v));
        return sim.serve(dir.resolve("api.sock"));
    }

    private static int notCreated(ApiVersion v) {
        return v == ApiVersion.V52 ? 500 : 404;
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void withoutVm(ApiVersion v) throws IOException {
        SimulatedVmm vmm = vmm(v);
        assertThat(vmm.state()).isEqualTo("none");
        assertThat(SimFixture.get(vmm, "vmm.ping").status()).isEqualTo(200);
        RawClient.Response boot = SimFixture.put(vmm, "vm.boot");
        assertThat(boot.status()).isEqualTo(notCreated(v));
        assertThat(boot.body()).isEqualTo("[\"Error from API\",\"The VM could not boot\",\"VM config is missing\"]");
        RawClient.Response info = SimFixture.get(vmm, "vm.info");
        assertThat(info.status()).isEqualTo(notCreated(v));
        assertThat(info.body()).isEqualTo("[\"Error from API\",\"The VM info is not available\",\"VM is not created\"]");
        RawClient.Response add = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("d", fx.rawImage("d.raw"), null));
        assertThat(add.status()).isEqualTo(notCreated(v));
        assertThat(add.body()).isEqualTo("[\"Error from API\",\"The disk could not be added to the VM\",\"VM is not created\"]");
        assertThat(SimFixture.put(vmm, "vm.add-fs", "{\"tag\":\"t\",\"socket\":\"/nope\"}").status()).isEqualTo(notCreated(v));
        assertThat(SimFixture.put(vmm, "vm.add-device", "{\"path\":\"/nope\"}").status()).isEqualTo(notCreated(v));
        assertThat(SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"d\"}").status()).isEqualTo(notCreated(v));
        assertThat(SimFixture.put(vmm, "vm.resize", "{\"desired_vcpus\":2}").status()).isEqualTo(notCreated(v));
        for (String call : List.of("vm.shutdown", "vm.pause", "vm.resume", "vm.power-button")) {
            assertThat(SimFixture.put(vmm, call).status()).as(call).isEqualTo(500);
        }
        assertThat(SimFixture.put(vmm, "vm.shutdown").body())
                .isEqualTo("[\"Error from API\",\"The VM could not shutdown\",\"VM is not running\"]");
        assertThat(SimFixture.put(vmm, "vm.delete").status()).isEqualTo(204);
        assertThat(SimFixture.put(vmm, "vm.create", fx.vmConfig()).status()).isEqualTo(204);
        assertThat(vmm.state()).isEqualTo("Created");
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void createdThenRunning(ApiVersion v) throws IOException {
        SimulatedVmm vmm = vmm(v);
        assertThat(SimFixture.put(vmm, "vm.create", fx.vmConfig()).status()).isEqualTo(204);
        RawClient.Response again = SimFixture.put(vmm, "vm.create", fx.vmConfig());
        assertThat(again.status()).isEqualTo(500);
        assertThat(again.body()).isEqualTo("[\"Error from API\",\"The VM could not be created\",\"VM is already created\"]");
        RawClient.Response info = SimFixture.get(vmm, "vm.info");
        assertThat(info.status()).isEqualTo(200);
        assertThat(info.body()).contains("\"state\":\"Created\"").doesNotContain("device_tree");
        assertThat(SimFixture.put(vmm, "vm.shutdown").status()).isEqualTo(500);

        assertThat(SimFixture.put(vmm, "vm.boot").status()).isEqualTo(204);
        assertThat(vmm.state()).isEqualTo("Running");
        RawClient.Response boot2 = SimFixture.put(vmm, "vm.boot");
        assertThat(boot2.status()).isEqualTo(500);
        assertThat(boot2.body()).isEqualTo("[\"Error from API\",\"The VM could not boot\",\"VM is already created\"]");
        assertThat(SimFixture.put(vmm, "vm.create", fx.vmConfig()).status()).isEqualTo(500);
        RawClient.Response running = SimFixture.get(vmm, "vm.info");
        assertThat(running.body()).contains("\"state\":\"Running\"", "\"device_tree\":{", "\"memory_actual_size\":1073741824");

        assertThat(SimFixture.put(vmm, "vm.pause").status()).isEqualTo(204);
        assertThat(vmm.state()).isEqualTo("Paused");
        assertThat(SimFixture.put(vmm, "vm.pause").status()).isEqualTo(500);
        assertThat(SimFixture.put(vmm, "vm.resume").status()).isEqualTo(204);
        assertThat(SimFixture.put(vmm, "vm.resume").status()).isEqualTo(500);

        assertThat(SimFixture.put(vmm, "vm.shutdown").status()).isEqualTo(204);
        assertThat(vmm.state()).isEqualTo("Created");
        assertThat(SimFixture.put(vmm, "vm.boot").status()).isEqualTo(204);
        assertThat(SimFixture.put(vmm, "vm.delete").status()).isEqualTo(204);
        assertThat(vmm.state()).isEqualTo("none");
        assertThat(SimFixture.put(vmm, "vm.delete").status()).isEqualTo(204);
    }

    @Test
    void createStoresWithoutValidatingAndBootValidates() throws IOException {
        SimulatedVmm vmm = vmm(ApiVersion.V54);
        // No payload: accepted by vm.create, refused by vm.boot.
        assertThat(SimFixture.put(vmm, "vm.create", "{\"cpus\":{\"boot_vcpus\":4,\"max_vcpus\":2}}").status()).isEqualTo(204);
        RawClient.Response boot = SimFixture.put(vmm, "vm.boot");
        assertThat(boot.status()).isEqualTo(400);
        assertThat(boot.body()).isEqualTo("[\"Error from API\",\"The VM could not boot\",\"Failed to validate config\",\"Max CPUs lower than boot CPUs\"]");
        assertThat(vmm.state()).isEqualTo("Created");
    }

    @Test
    void bootWithMissingKernelFails() throws IOException {
        SimulatedVmm vmm = vmm(ApiVersion.V54);
        SimFixture.put(vmm, "vm.create", fx.vmConfig().replace(fx.kernel.toString(), dir.resolve("no-kernel").toString()));
        RawClient.Response boot = SimFixture.put(vmm, "vm.boot");
        assertThat(boot.status()).isEqualTo(500);
        assertThat(boot.body()).contains("Cannot open kernel file");
        assertThat(vmm.state()).isEqualTo("Created");
    }

    @Test
    void shutdownKeepsConfigAndHotAddedDevicesComeBackAtBoot() throws IOException {
        SimulatedVmm vmm = vmm(ApiVersion.V54);
        SimFixture.createAndBoot(vmm, fx.vmConfig());
        Path img = fx.rawImage("hot.raw");
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("hot", img, "\"image_type\":\"Raw\"")).status()).isEqualTo(200);
        assertThat(SimFixture.put(vmm, "vm.shutdown").status()).isEqualTo(204);
        VmmSnapshot created = vmm.snapshot();
        assertThat(created.state()).isEqualTo("Created");
        assertThat(created.configIds("disks")).containsExactly("hot");
        assertThat(created.deviceTree()).isNull();
        assertThat(SimFixture.put(vmm, "vm.boot").status()).isEqualTo(204);
        assertThat(vmm.snapshot().inDeviceTree("hot")).isTrue();
        assertThat(vmm.snapshot().inDeviceTree("_virtio-pci-hot")).isTrue();
    }

    @Test
    void guestPowerOffEndsTheVmmProcess() throws IOException {
        SimulatedVmm vmm = vmm(ApiVersion.V54);
        SimFixture.createAndBoot(vmm, fx.vmConfig());
        vmm.guestPowerOff();
        assertThat(vmm.isTerminated()).isTrue();
        assertThat(Files.exists(vmm.socket())).isFalse();
        assertThat(vmm.state()).isEqualTo("none");
        assertThat(sim.vmms()).doesNotContain(vmm);
    }

    @Test
    void powerButtonMakesTheGuestPowerOff() throws IOException {
        SimulatedVmm vmm = vmm(ApiVersion.V54);
        SimFixture.createAndBoot(vmm, fx.vmConfig());
        assertThat(SimFixture.put(vmm, "vm.power-button").status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(5)).until(vmm::isTerminated);
        assertThat(Files.exists(vmm.socket())).isFalse();
    }

    @Test
    void bootWritesToTheSerialFile() throws IOException {
        SimulatedVmm vmm = vmm(ApiVersion.V54);
        SimFixture.createAndBoot(vmm, fx.vmConfig());
        assertThat(Files.readString(dir.resolve("serial.log"))).contains("Linux version", "login:");
    }

    @Test
    void liveSocketCannotBeServedTwiceButAStaleOneIsReplaced() throws IOException {
        SimulatedVmm vmm = vmm(ApiVersion.V54);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sim.serve(vmm.socket()))
                .hasMessageContaining("API socket in use");
        Path stale = dir.resolve("stale.sock");
        Files.writeString(stale, "");
        SimulatedVmm second = sim.serve(stale);
        assertThat(SimFixture.get(second, "vmm.ping").status()).isEqualTo(200);
    }

    @Test
    void infoSerializesConfigAsTheServerDoes() throws IOException {
        SimulatedVmm vmm = vmm(ApiVersion.V54);
        SimFixture.createAndBoot(vmm, fx.vmConfig(2, 4, true, "\"disks\":[{\"path\":\"" + fx.rawImage("root.raw") + "\"}]"));
        String info = SimFixture.get(vmm, "vm.info").body();
        assertThat(info).contains("{\"id\":\"_disk0\",\"pci_segment\":0,\"path\":\"" + dir.resolve("root.raw")
                + "\",\"readonly\":false,\"direct\":false,\"num_queues\":1,\"queue_size\":128,\"vhost_user\":false,"
                + "\"disable_io_uring\":false,\"disable_aio\":false,\"backing_files\":false,\"sparse\":true,"
                + "\"image_type\":\"Raw\",\"lock_granularity\":\"ByteRange\"}");
        assertThat(info).contains("\"_disk0\":{\"id\":\"_disk0\",\"resources\":[],\"parent\":\"_virtio-pci-_disk0\",\"children\":[]}");
        assertThat(info).containsPattern("\"_virtio-pci-_disk0\":\\{\"id\":\"_virtio-pci-_disk0\",\"resources\":\\[\\{\"PciBar\":\\{\"index\":0,"
                + "\"base\":\\d+,\"size\":524288,\"type_\":\"Mmio64\",\"prefetchable\":false}}],\"children\":\\[\"_disk0\"],\"pci_bdf\":\"0000:00:01.0\"}");
        assertThat(info).contains("\"__rng\":{\"id\":\"__rng\"");
    }
}
