package dev.form.testkit.chsim;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** virtio-fs: the shared-memory precondition, the wait for virtiofsd, the kept connection, tag truncation, serialization. */
class SimFsTest {
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

    private SimulatedVmm booted(SimulatorOptions o, boolean sharedMemory) throws IOException {
        sim = CloudHypervisorSimulator.start(o);
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        SimFixture.createAndBoot(vmm, fx.vmConfig(2, 2, sharedMemory, null));
        return vmm;
    }

    private String fsJson(String id, Path socket, String tag) {
        return "{\"id\":\"" + id + "\",\"tag\":\"" + tag + "\",\"socket\":\"" + socket + "\"}";
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void needsSharedMemory(ApiVersion version) throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults().withVersion(version), false);
        RawClient.Response r = SimFixture.put(vmm, "vm.add-fs", fsJson("fs0", dir.resolve("v.sock"), "share"));
        assertThat(r.status()).isEqualTo(version == ApiVersion.V54 ? 400 : 500);
        assertThat(r.body()).isEqualTo("[\"Error from API\",\"The fs could not be added to the VM\",\"Failed to validate config\","
                + "\"Using vhost-user requires using shared memory or huge pages\"]");
    }

    @Test
    void connectsToVirtiofsdAndKeepsTheConnectionUntilEjected() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults(), true);
        Path sock = dir.resolve("vfsd.sock");
        try (FakeVirtiofsd backend = FakeVirtiofsd.listen(sock)) {
            RawClient.Response r = SimFixture.put(vmm, "vm.add-fs", fsJson("fs0", sock, "share"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(r.body()).get("id").asText()).isEqualTo("fs0");
            assertThat(vmm.snapshot().configEntry("fs0").toString()).isEqualTo(
                    "{\"id\":\"fs0\",\"pci_segment\":0,\"tag\":\"share\",\"socket\":\"" + sock + "\",\"num_queues\":1,\"queue_size\":1024}");
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.accepted.size() == 1);
            assertThat(backend.closedByPeer).isEmpty();
            SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"fs0\"}");
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.closedByPeer.size() == 1);
            assertThat(vmm.snapshot().inDeviceTree("fs0")).isFalse();
        }
    }

    @Test
    void waitsForTheSocketToAppear() throws Exception {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults().withVhostUserWait(Duration.ofSeconds(5)), true);
        Path sock = dir.resolve("late.sock");
        CompletableFuture<RawClient.Response> add = CompletableFuture.supplyAsync(() -> {
            try {
                return SimFixture.put(vmm, "vm.add-fs", fsJson("fs0", sock, "share"));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(400);
        assertThat(add).isNotDone();
        try (FakeVirtiofsd backend = FakeVirtiofsd.listen(sock)) {
            assertThat(add.get().status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.accepted.size() == 1);
        }
    }

    @Test
    void timesOutWhenVirtiofsdNeverComes() throws IOException {
        Duration wait = Duration.ofMillis(700);
        SimulatedVmm vmm = booted(SimulatorOptions.defaults().withVhostUserWait(wait), true);
        long t0 = System.nanoTime();
        RawClient.Response r = SimFixture.put(vmm, "vm.add-fs", fsJson("fs0", dir.resolve("absent.sock"), "share"));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(tookMs).isGreaterThanOrEqualTo(wait.toMillis());
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).startsWith("[\"Error from API\",\"The fs could not be added to the VM\",\"Error from device manager\"")
                .endsWith("\"Timed out waiting for vhost-user connection\"]");
        assertThat(vmm.snapshot().inDeviceTree("fs0")).isFalse();
    }

    @Test
    void aSlowAddFsBlocksEveryOtherCallIncludingPing() throws Exception {
        Duration wait = Duration.ofMillis(1500);
        SimulatedVmm vmm = booted(SimulatorOptions.defaults().withVhostUserWait(wait), true);
        try (RawClient slow = RawClient.connect(vmm.socket()); RawClient other = RawClient.connect(vmm.socket())) {
            slow.send(RawClient.put("vm.add-fs", fsJson("fs0", dir.resolve("absent.sock"), "share")));
            // The add-fs is being handled once it is in the log; from then on the VMM is busy for `wait`.
            await().atMost(Duration.ofSeconds(5)).until(() -> vmm.requestLog().stream().anyMatch(l -> l.contains("vm.add-fs")));
            long t0 = System.nanoTime();
            RawClient.Response ping = other.exchange(RawClient.get("vmm.ping"));
            long pingMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ping.status()).isEqualTo(200);
            // The ping is answered only after add-fs gave up, so its own answer must already be there.
            assertThat(slow.read(Duration.ofSeconds(2)).status()).isEqualTo(500);
            assertThat(pingMs).as("ping waited for add-fs").isGreaterThanOrEqualTo(500);
        }
    }

    @Test
    void longTagIsTruncatedSilentlyTo36Bytes() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults(), true);
        Path sock = dir.resolve("vfsd.sock");
        String tag = "t".repeat(40);
        try (FakeVirtiofsd backend = FakeVirtiofsd.listen(sock)) {
            assertThat(SimFixture.put(vmm, "vm.add-fs", fsJson("fs0", sock, tag)).status()).isEqualTo(200);
            assertThat(vmm.snapshot().guestFsTags()).containsEntry("fs0", "t".repeat(36));
            await().atMost(Duration.ofSeconds(5)).until(() -> !backend.accepted.isEmpty());
        }
    }

    @Test
    void fsLimitsAndIommu() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults(), true);
        Path sock = dir.resolve("vfsd.sock");
        try (FakeVirtiofsd backend = FakeVirtiofsd.listen(sock)) {
            RawClient.Response queues = SimFixture.put(vmm, "vm.add-fs", "{\"tag\":\"a\",\"socket\":\"" + sock + "\",\"num_queues\":3}");
            assertThat(queues.status()).isEqualTo(400);
            RawClient.Response iommu = SimFixture.put(vmm, "vm.add-fs", "{\"tag\":\"a\",\"socket\":\"" + sock + "\",\"iommu\":true}");
            assertThat(iommu.status()).isEqualTo(400);
            assertThat(iommu.body()).contains("Device does not support being placed behind IOMMU");
            assertThat(backend.accepted).isEmpty();
        }
    }

    @Test
    void coldAddedFsConnectsAtBoot() throws IOException {
        sim = CloudHypervisorSimulator.start(SimulatorOptions.defaults());
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        Path sock = dir.resolve("vfsd.sock");
        try (FakeVirtiofsd backend = FakeVirtiofsd.listen(sock)) {
            SimFixture.put(vmm, "vm.create", fx.vmConfig());
            assertThat(SimFixture.put(vmm, "vm.add-fs", "{\"tag\":\"a\",\"socket\":\"" + sock + "\"}").status()).isEqualTo(204);
            assertThat(backend.accepted).isEmpty();
            assertThat(SimFixture.put(vmm, "vm.boot").status()).isEqualTo(204);
            // the simulator has connected; the fake daemon's accept thread records it a moment later
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.accepted.size() == 1);
            assertThat(vmm.snapshot().configIds("fs")).containsExactly("_fs0");
        }
    }
}
