package dev.form.hypervisor.qemu;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import dev.form.core.model.RateLimit;
import dev.form.hypervisor.AttachedDevice;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmRunState;
import dev.form.hypervisor.VmSnapshot;
import dev.form.testkit.guest.GuestLine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hot-plug into one real guest (QEMU, TCG), every effect checked from inside the guest through
 * the marker lines its /init prints on the serial console.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QemuHotplugTest {

    private static final Duration GUEST = Duration.ofSeconds(20);
    private static final Duration REMOVAL = Duration.ofSeconds(20);

    private GuestVmFixture f;

    @BeforeAll
    void boot() throws Exception {
        f = GuestVmFixture.boot(QemuSettings.defaults().withSpareHotplugSlots(4), true, true);
    }

    @AfterAll
    void shutdown() throws Exception {
        if (f != null) f.close();
    }

    private DiskSpec disk(String id, Path image, boolean readonly, String serial) {
        return new DiskSpec(id, image.toString(), ImageFormat.RAW, readonly, true, false, serial, null, null, null, null);
    }

    @Test
    @Order(1)
    void aHotAddedDiskShowsItsSizeSerialAndFirstBytesInTheGuestAndLeavesNothingBehind() throws Exception {
        byte[] head = new byte[16];
        new Random(7).nextBytes(head);
        Path img = f.image("data1.raw", 3L << 20, head);
        DiskSpec d = new DiskSpec("data1", img.toString(), ImageFormat.RAW, false, true, false, "SERDATA1", 2, 256, null, null);

        AttachedDevice a = f.vm.addDisk(d);

        GuestLine seen = f.console.awaitEvent("disk-added", GUEST, "serial", "SERDATA1");
        assertThat(seen.getLong("size")).isEqualTo(3L << 20);
        assertThat(seen.get("head")).isEqualTo(HexFormat.of().formatHex(head));
        assertThat(seen.get("ro")).isEqualTo("0");
        assertThat(f.console.awaitEvent("disk-write", GUEST, "serial", "SERDATA1").get("result")).isEqualTo("allowed");
        assertThat(a.pciAddress()).matches("0000:[0-9a-f]{2}:00\\.0").isEqualTo(seen.get("pci"));
        VmSnapshot snap = f.vm.snapshot();
        assertThat(snap.devices()).containsEntry("data1", a.pciAddress());
        assertThat(f.vm.qmp().execute("qom-get", JsonNodeFactory.instance.objectNode()
                .put("path", "/machine/peripheral/data1").put("property", "num-queues"), GUEST).asInt()).isEqualTo(2);
        assertThat(f.vm.inventory().blockNodes()).contains("data1-fmt", "data1-file");

        f.vm.removeDevice("data1");
        assertThat(f.vm.awaitRemoval("data1", REMOVAL)).isTrue();
        f.console.awaitEvent("disk-removed", GUEST, "serial", "SERDATA1");
        QemuInventory inv = f.vm.inventory();
        assertThat(inv.devices()).doesNotContainKey("data1");
        assertThat(inv.blockNodes()).doesNotContain("data1-fmt", "data1-file");
        assertThat(inv.orphans()).isEmpty();
        assertThat(f.vm.snapshot().lists("data1")).isFalse();
    }

    @Test
    @Order(2)
    void aReadOnlyDiskRefusesWritesInTheGuestAndTheImageStaysUnchanged() throws Exception {
        byte[] head = "read-only bytes!".getBytes();
        Path img = f.image("ro.raw", 1L << 20, head);
        byte[] before = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(img));

        f.vm.addDisk(disk("ro1", img, true, "SERRO1"));

        GuestLine seen = f.console.awaitEvent("disk-added", GUEST, "serial", "SERRO1");
        assertThat(seen.get("ro")).isEqualTo("1");
        assertThat(seen.get("head")).isEqualTo(HexFormat.of().formatHex(head));
        assertThat(f.console.awaitEvent("disk-write", GUEST, "serial", "SERRO1").get("result")).isEqualTo("refused");
        f.vm.removeDevice("ro1");
        assertThat(f.vm.awaitRemoval("ro1", REMOVAL)).isTrue();
        f.console.awaitEvent("disk-removed", GUEST, "serial", "SERRO1");
        assertThat(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(img))).isEqualTo(before);
    }

    @Test
    @Order(3)
    void aShareIsMountedReadAndWrittenByTheGuestAndItsVirtiofsdReleased() throws Exception {
        VirtiofsdProcess.require();
        Path share = Files.createDirectories(f.dir.resolve("share1"));
        String greeting = "hello from the host " + System.nanoTime();
        Files.writeString(share.resolve("hello.txt"), greeting + "\n");
        try (VirtiofsdProcess vfs = VirtiofsdProcess.start(f.dir.resolve("vfs1.sock"), share, f.dir.resolve("vfs1.log"))) {
            AttachedDevice a = f.vm.addFs(new FsSpec("fs1", "share1", vfs.socket.toString(), null, null));

            assertThat(f.console.awaitEvent("fs-mounted", GUEST, "tag", "share1").get("pci")).isEqualTo(a.pciAddress());
            assertThat(f.console.awaitEvent("fs-read", GUEST, "tag", "share1").get("hello")).isEqualTo(greeting);
            f.console.awaitEvent("fs-wrote", GUEST, "tag", "share1");
            assertThat(Files.readString(share.resolve("from-guest.txt"))).contains("written by the guest through share1");
            assertThat(f.vm.snapshot().devices()).containsEntry("fs1", a.pciAddress());
            assertThat(f.vm.inventory().chardevs()).contains("fs1-chr");

            f.vm.removeDevice("fs1");
            assertThat(f.vm.awaitRemoval("fs1", REMOVAL)).isTrue();
            f.console.awaitEvent("fs-removed", GUEST, "tag", "share1");
            assertThat(f.vm.inventory().chardevs()).doesNotContain("fs1-chr");
            assertThat(vfs.awaitExit(Duration.ofSeconds(10))).as("virtiofsd ends once QEMU lets go of it").isTrue();
        }
    }

    @Test
    @Order(4)
    void backingLeftByACrashBeforeDeviceAddIsFoundReleasedAndTheIdReusable() throws Exception {
        Path img = f.image("crash.raw", 1L << 20, "crashed halfway..".getBytes());
        DiskSpec d = new DiskSpec("crash1", img.toString(), ImageFormat.RAW, false, false, false, "SERCRASH",
                null, null, new RateLimit(50L << 20, 0, 1000), null);
        // What addDisk does before device_add, as if the service died right there.
        f.vm.qmp().execute("object-add", QmpArguments.throttleGroup(d), GUEST);
        f.vm.qmp().execute("blockdev-add", QmpArguments.blockdev(d), GUEST);
        var lost = JsonNodeFactory.instance.objectNode().put("id", "lost-chr");
        lost.putObject("backend").put("type", "null").putObject("data");
        f.vm.qmp().execute("chardev-add", lost, GUEST);

        assertThat(f.vm.orphanedBackends()).containsExactlyInAnyOrder("block node crash1-thr", "throttle group crash1-tg", "chardev lost-chr");
        assertThat(f.vm.releaseOrphanedBackends()).hasSize(3);
        QemuInventory inv = f.vm.inventory();
        assertThat(inv.orphans()).isEmpty();
        assertThat(inv.blockNodes()).doesNotContain("crash1-thr", "crash1-fmt", "crash1-file");
        assertThat(inv.throttleGroups()).doesNotContain("crash1-tg");
        assertThat(inv.chardevs()).doesNotContain("lost-chr");

        // A crash again, then a plain retry of the same add: the leftovers of the id are released first.
        f.vm.qmp().execute("object-add", QmpArguments.throttleGroup(d), GUEST);
        f.vm.qmp().execute("blockdev-add", QmpArguments.blockdev(d), GUEST);
        f.vm.addDisk(d);
        f.console.awaitEvent("disk-added", GUEST, "serial", "SERCRASH");
        assertThat(f.console.awaitEvent("disk-write", GUEST, "serial", "SERCRASH").get("result")).isEqualTo("allowed");
        assertThat(f.vm.qmp().execute("qom-get", JsonNodeFactory.instance.objectNode().put("path", "/objects/crash1-tg")
                .put("property", "limits"), GUEST).path("bps-total").asLong()).isEqualTo(50L << 20);
        f.vm.removeDevice("crash1");
        assertThat(f.vm.awaitRemoval("crash1", REMOVAL)).isTrue();
        assertThat(f.vm.inventory().throttleGroups()).doesNotContain("crash1-tg");
    }

    @Test
    @Order(5)
    void whenEverySlotIsTakenTheNextAddIsAConflictAndNothingIsLeftHalfDone() throws Exception {
        int free = f.vm.inventory().freeSlots().size();
        assertThat(free).as("4 spare slots, all free between tests").isEqualTo(4);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < free; i++) {
            String id = "fill" + i;
            f.vm.addDisk(disk(id, f.image(id + ".raw", 1L << 20, new byte[16]), false, "SERFILL" + i));
            ids.add(id);
        }
        // Unplugging a disk the guest is still probing races with the probe: let it finish first.
        for (int i = 0; i < free; i++) f.console.awaitEvent("disk-write", GUEST, "serial", "SERFILL" + i);
        Path extra = f.image("extra.raw", 1L << 20, new byte[16]);
        assertThatThrownBy(() -> f.vm.addDisk(disk("extra", extra, false, "SEREXTRA")))
                .isInstanceOfSatisfying(HypervisorException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
                    assertThat(e.getMessage()).contains("no free hot-plug slot");
                });
        assertThat(f.vm.inventory().blockNodes()).doesNotContain("extra-fmt");
        assertThatThrownBy(() -> f.vm.addDisk(disk("fill0", extra, false, "X")))
                .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
        for (String id : ids) f.vm.removeDevice(id);
        for (String id : ids) assertThat(f.vm.awaitRemoval(id, REMOVAL)).as(id).isTrue();
        for (int i = 0; i < free; i++) f.console.awaitEvent("disk-removed", GUEST, "serial", "SERFILL" + i);
        assertThat(f.vm.inventory().freeSlots()).hasSize(free);
    }

    @Test
    @Order(6)
    void aMissingImageIsRefusedWithQemusReasonAndRollsBack() {
        assertThatThrownBy(() -> f.vm.addDisk(disk("ghost", f.dir.resolve("no-such.raw"), false, "G")))
                .isInstanceOfSatisfying(HypervisorException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REFUSED);
                    assertThat(String.join(" ", e.chain())).contains("no-such.raw");
                });
        assertThatThrownBy(() -> f.vm.removeDevice("ghost"))
                .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }

    @Test
    @Order(7)
    void vcpusAndMemoryGrowAndTheGuestSeesThem() throws Exception {
        long bootKb = f.console.lines().stream().map(GuestLine::parse).flatMap(java.util.Optional::stream)
                .filter(l -> l.event().equals("resources")).findFirst().orElseThrow().getLong("mem-total-kb");
        f.vm.resize(2, 384L << 20);
        f.console.await(line -> GuestLine.parse(line).map(l -> l.is("resources", "cpus-online", "0-1")
                && l.getLong("mem-total-kb") >= bootKb + (100L << 10)).orElse(false), "2 vCPUs and 128 MiB more online", GUEST);
        VmSnapshot s = f.vm.snapshot();
        assertThat(s.vcpus()).isEqualTo(2);
        assertThat(s.memoryBytes()).isEqualTo(384L << 20);
        assertThatThrownBy(() -> f.vm.resize(3, null))
                .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.getMessage()).contains("maxcpus=2"));
        assertThatThrownBy(() -> f.vm.resize(null, 256L << 20))
                .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.getMessage()).contains("cannot shrink memory"));
        assertThatThrownBy(() -> f.vm.resize(null, 1L << 30))
                .isInstanceOfSatisfying(HypervisorException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REFUSED);
                    assertThat(e.getMessage()).contains("cannot grow memory").contains("maxMemory");
                });
        assertThat(f.vm.inventory().orphans()).as("a refused DIMM leaves no backend").isEmpty();
        assertThat(f.vm.qmp().execute("qom-list", JsonNodeFactory.instance.objectNode().put("path", "/objects"), GUEST).toString())
                .contains("form-dimm1-mem").doesNotContain("form-dimm2-mem");

        assertThatThrownBy(() -> f.vm.resize(1, null))
                .isInstanceOfSatisfying(HypervisorException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REFUSED);
                    assertThat(e.getMessage()).contains("TCG");
                });
        assertThat(f.vm.snapshot().vcpus()).isEqualTo(2);
        assertThatThrownBy(() -> f.vm.resize(0, null)).hasMessageContaining("at least 1");
    }

    @Test
    @Order(8)
    void pauseResumeAndThePowerButtonReachQemu() throws Exception {
        f.vm.pause();
        assertThat(f.vm.snapshot().state()).isEqualTo(VmRunState.PAUSED);
        f.vm.resume();
        assertThat(f.vm.snapshot().state()).isEqualTo(VmRunState.RUNNING);
        long seq = f.vm.qmp().lastEventSeq();
        f.vm.powerButton();
        assertThat(f.vm.qmp().awaitEvent(e -> e.name().equals("POWERDOWN"), seq, GUEST)).isPresent();
        assertThat(f.vm.alive()).as("this guest ignores the button").isTrue();
    }

    @Test
    @Order(9)
    void aNewDriverInstanceReattachesToTheRunningVmAndCarriesOn() throws Exception {
        Path img = f.image("before.raw", 1L << 20, new byte[16]);
        f.vm.addDisk(disk("kept", img, false, "SERKEPT"));
        f.console.awaitEvent("disk-write", GUEST, "serial", "SERKEPT");
        var endpoint = f.vm.endpoint();
        f.vm.close();
        assertThat(QemuProcess.alive(endpoint.pid())).as("closing the connection leaves QEMU running").isTrue();

        RunningVm again = new QemuHypervisor(f.binary, false, f.settings).reattach(endpoint);
        f.vm = (QemuVm) again;
        assertThat(again.alive()).isTrue();
        assertThat(again.snapshot().lists("kept")).isTrue();
        again.removeDevice("kept");
        assertThat(again.awaitRemoval("kept", REMOVAL)).isTrue();
        f.console.awaitEvent("disk-removed", GUEST, "serial", "SERKEPT");
        again.addDisk(disk("after", f.image("after.raw", 2L << 20, new byte[16]), false, "SERAFTER"));
        assertThat(f.console.awaitEvent("disk-added", GUEST, "serial", "SERAFTER").getLong("size")).isEqualTo(2L << 20);
    }

    @Test
    @Order(10)
    void terminateEndsTheProcessAndReattachThenSaysUnavailable() throws Exception {
        var endpoint = f.vm.endpoint();
        f.vm.terminate();
        assertThat(QemuProcess.alive(endpoint.pid())).isFalse();
        f.vm = null;
        assertThatThrownBy(() -> new QemuHypervisor(f.binary, false, f.settings).reattach(endpoint))
                .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
    }
}
