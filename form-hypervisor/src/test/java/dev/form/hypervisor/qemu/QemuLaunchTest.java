package dev.form.hypervisor.qemu;

import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import dev.form.core.model.RateLimit;
import dev.form.testkit.guest.GuestConsole;
import dev.form.testkit.guest.GuestLine;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.testkit.guest.GuestImage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Launch and refusals that need a QEMU process but not a booted guest. */
@Tag("qemu")
class QemuLaunchTest {

    @Test
    void aVmWithPrivateMemoryRefusesSharesAndQemuRefusesAMissingVfioDevice() throws Exception {
        try (GuestVmFixture f = GuestVmFixture.boot(QemuSettings.defaults(), false, false)) {
            Path sock = f.dir.resolve("vfs.sock");
            Files.createFile(sock);
            assertThatThrownBy(() -> f.vm.addFs(new FsSpec("fs9", "share1", sock.toString(), null, null)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.REFUSED);
                        assertThat(e.getMessage()).contains("memory is not shared").contains("relaunch");
                    });
            assertThatThrownBy(() -> f.vm.addDevice(new DeviceSpec("gpu0", "/sys/bus/pci/devices/0000:7f:00.0/", "0000:7f:00.0", false)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.REFUSED);
                        assertThat(String.join(" ", e.chain())).contains("0000:7f:00.0");
                    });
            assertThat(f.vm.inventory().freeSlots()).as("the refused device left its slot free").hasSize(8);
            assertThat(f.vm.snapshot().devices()).isEmpty();
        }
    }

    @Test
    void recordedResourcesAttachedAtLaunchAreSeenByTheGuestAndCanBeUnpluggedLikeHotAddedOnes() throws Exception {
        String binary = GuestVmFixture.requireQemu();
        GuestImage guest = GuestVmFixture.requireGuest();
        VirtiofsdProcess.require();
        Path dir = Files.createTempDirectory("form-qemu-boot-");
        Path img = dir.resolve("boot.raw");
        byte[] head = "boot disk bytes!".getBytes();
        Files.write(img, java.util.Arrays.copyOf(head, 2 << 20));
        Path share = Files.createDirectories(dir.resolve("share"));
        Files.writeString(share.resolve("hello.txt"), "from launch\n");
        DiskSpec disk = new DiskSpec("bootdisk", img.toString(), ImageFormat.RAW, false, true, false, "SERBOOT",
                null, null, new RateLimit(100L << 20, 0, 1000), null);
        try (VirtiofsdProcess vfs = VirtiofsdProcess.start(dir.resolve("vfs.sock"), share, dir.resolve("vfs.log"))) {
            VmLaunchSpec spec = new VmLaunchSpec("boot", dir.resolve("run"), dir.resolve("console.log"),
                    guest.kernel().toString(), guest.initramfs().toString(), guest.cmdline("share2"),
                    1, 1, 256L << 20, 0, true, List.of(disk), List.of(new FsSpec("bootfs", "share2", vfs.socket.toString(), null, null)), List.of());
            QemuVm vm = (QemuVm) new QemuHypervisor(binary, false).launch(spec);
            try {
                GuestConsole console = GuestConsole.fromStart(spec.consoleLog());
                GuestLine d = console.awaitEvent("disk-added", GuestVmFixture.BOOT_TIMEOUT, "serial", "SERBOOT");
                assertThat(d.getLong("size")).isEqualTo(2L << 20);
                assertThat(d.get("head")).isEqualTo(java.util.HexFormat.of().formatHex(head));
                assertThat(console.awaitEvent("fs-read", Duration.ofSeconds(30), "tag", "share2").get("hello")).isEqualTo("from launch");
                QemuInventory inv = vm.inventory();
                assertThat(inv.devices()).containsKeys("bootdisk", "bootfs");
                assertThat(inv.freeSlots()).hasSize(8);
                assertThat(inv.orphans()).isEmpty();
                assertThat(inv.throttleGroups()).contains("bootdisk-tg");

                vm.removeDevice("bootdisk");
                assertThat(vm.awaitRemoval("bootdisk", Duration.ofSeconds(20))).isTrue();
                console.awaitEvent("disk-removed", Duration.ofSeconds(20), "serial", "SERBOOT");
                vm.removeDevice("bootfs");
                assertThat(vm.awaitRemoval("bootfs", Duration.ofSeconds(20))).isTrue();
                console.awaitEvent("fs-removed", Duration.ofSeconds(20), "tag", "share2");
                QemuInventory after = vm.inventory();
                assertThat(after.blockNodes()).doesNotContain("bootdisk-thr", "bootdisk-fmt");
                assertThat(after.throttleGroups()).doesNotContain("bootdisk-tg");
                assertThat(after.chardevs()).doesNotContain("bootfs-chr");
                assertThat(after.freeSlots()).hasSize(10);
            } finally {
                vm.terminate();
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    void kvmIsOnlyUsedWhereAVcpuReallyRuns() {
        assertThat(QemuHypervisor.kvmWorks("/nonexistent/qemu-system-x86_64")).isFalse();
        String binary = GuestVmFixture.requireQemu();
        boolean works = QemuHypervisor.kvmWorks(binary);
        if (!QemuHypervisor.kvmUsable()) assertThat(works).isFalse();
        assertThat(new QemuHypervisor(binary, true).accelerator()).isEqualTo(works ? "kvm" : "tcg");
        assertThat(new QemuHypervisor(binary, false).accelerator()).isEqualTo("tcg");
    }

    @Test
    void qemusOwnStartupErrorReachesTheCaller() throws Exception {
        String binary = GuestVmFixture.requireQemu();
        GuestImage guest = GuestVmFixture.requireGuest();
        Path dir = Files.createTempDirectory("form-qemu-bad-");
        VmLaunchSpec spec = new VmLaunchSpec("bad", dir.resolve("run"), dir.resolve("console.log"),
                guest.kernel().toString(), dir.resolve("no-initrd").toString(), "console=ttyS0",
                1, 1, 64L << 20, 0, false, List.of(), List.of(), List.of());
        try {
            assertThatThrownBy(() -> new QemuHypervisor(binary, false).launch(spec))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.REFUSED);
                        assertThat(e.getMessage()).contains("QEMU exited while starting").contains("no-initrd");
                    });
        } finally {
            deleteTree(dir);
        }
    }
}
