package dev.form.hypervisor.qemu;

import dev.form.core.model.DeviceSpec;
import dev.form.core.model.FsSpec;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.testkit.guest.GuestImage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
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
    void qemusOwnStartupErrorReachesTheCaller() throws Exception {
        String binary = GuestVmFixture.requireQemu();
        GuestImage guest = GuestVmFixture.requireGuest();
        Path dir = Files.createTempDirectory("form-qemu-bad-");
        VmLaunchSpec spec = new VmLaunchSpec("bad", dir.resolve("run"), dir.resolve("console.log"),
                guest.kernel().toString(), dir.resolve("no-initrd").toString(), "console=ttyS0",
                1, 1, 64L << 20, 0, false, List.of(), List.of(), List.of());
        assertThatThrownBy(() -> new QemuHypervisor(binary, false).launch(spec))
                .isInstanceOfSatisfying(HypervisorException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REFUSED);
                    assertThat(e.getMessage()).contains("QEMU exited while starting").contains("no-initrd");
                });
    }
}
