package dev.form.hypervisor.qemu;

import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.VmLaunchSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QemuCommandLineTest {

    private static VmLaunchSpec spec(Path run, boolean shared, long mem, long maxMem, List<DiskSpec> disks, List<FsSpec> fs) {
        return new VmLaunchSpec("i-1", run, run.resolve("con,sole.log"), "/k/vmlinuz", "/k/initrd", "console=ttyS0",
                2, 4, mem, maxMem, shared, disks, fs, List.of());
    }

    private static String after(List<String> argv, String flag) {
        int i = argv.indexOf(flag);
        assertThat(i).as(flag + " in " + argv).isGreaterThanOrEqualTo(0);
        return argv.get(i + 1);
    }

    @Test
    void buildsAQ35VmWithSharedMemoryHotplugSlotsAndBootResourcesOnTheirOwnPorts() throws Exception {
        Path run = Path.of("/run/form/i-1");
        DiskSpec root = new DiskSpec("root", "/img/root.raw", ImageFormat.RAW, false, true, false, "ROOT", null, null, null, null);
        FsSpec fs = new FsSpec("fs1", "share", "/run/form/vfs.sock", null, null);
        VmLaunchSpec s = spec(run, true, 256L << 20, 1L << 30, List.of(root), List.of(fs));
        QemuSettings settings = QemuSettings.defaults();
        QemuCommandLine.check(s, settings);
        List<String> argv = QemuCommandLine.build("qemu-system-x86_64", false, s, settings);
        assertThat(argv.get(0)).isEqualTo("qemu-system-x86_64");
        assertThat(after(argv, "-accel")).isEqualTo("tcg");
        assertThat(after(argv, "-machine")).isEqualTo("q35,memory-backend=form-ram");
        assertThat(after(argv, "-m")).isEqualTo("size=256M,slots=8,maxmem=1024M");
        assertThat(after(argv, "-object")).isEqualTo("memory-backend-memfd,id=form-ram,size=256M,share=on");
        assertThat(after(argv, "-smp")).isEqualTo("cpus=2,maxcpus=4");
        assertThat(after(argv, "-pidfile")).isEqualTo("/run/form/i-1/qemu.pid");
        assertThat(argv).contains("file,id=form-console,append=on,path=/run/form/i-1/con,,sole.log");
        assertThat(argv).contains("socket,id=form-qmp,server=on,wait=off,path=/run/form/i-1/qmp.sock");
        assertThat(argv).contains("socket,id=fs1-chr,path=/run/form/vfs.sock");
        long ports = argv.stream().filter(a -> a.startsWith("pcie-root-port,")).count();
        assertThat(ports).isEqualTo(2 + 8);
        assertThat(argv).anyMatch(a -> a.contains("\"driver\":\"virtio-blk-pci\"") && a.contains("\"bus\":\"rp1\"") && a.contains("\"serial\":\"ROOT\""));
        assertThat(argv).anyMatch(a -> a.contains("\"driver\":\"vhost-user-fs-pci\"") && a.contains("\"bus\":\"rp2\""));
        assertThat(argv).anyMatch(a -> a.contains("\"node-name\":\"root-fmt\"") && a.contains("\"direct\":true"));
        assertThat(after(argv, "-append")).isEqualTo("console=ttyS0");
    }

    @Test
    void kvmAndPrivateMemoryWithoutGrowth() throws Exception {
        VmLaunchSpec s = spec(Path.of("/r"), false, 512L << 20, 0, List.of(), List.of());
        List<String> argv = QemuCommandLine.build("/usr/bin/qemu-system-x86_64", true, s, QemuSettings.defaults().withSpareHotplugSlots(3));
        assertThat(after(argv, "-accel")).isEqualTo("kvm");
        assertThat(after(argv, "-cpu")).isEqualTo("host");
        assertThat(after(argv, "-machine")).isEqualTo("q35");
        assertThat(after(argv, "-m")).isEqualTo("size=512M");
        assertThat(argv).noneMatch(a -> a.startsWith("memory-backend-memfd"));
        assertThat(argv.stream().filter(a -> a.startsWith("pcie-root-port,")).count()).isEqualTo(3);
    }

    @Test
    void refusesWhatQemuWouldRejectWithTheReason() {
        Path run = Path.of("/r");
        FsSpec fs = new FsSpec("fs1", "share", "/run/vfs.sock", null, null);
        QemuSettings d = QemuSettings.defaults();
        assertThatThrownBy(() -> QemuCommandLine.check(spec(run, false, 256L << 20, 0, List.of(), List.of(fs)), d))
                .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.getMessage()).contains("shared guest memory"));
        assertThatThrownBy(() -> QemuCommandLine.check(spec(run, true, (256L << 20) + 1, 0, List.of(), List.of()), d))
                .hasMessageContaining("whole number of MiB");
        assertThatThrownBy(() -> QemuCommandLine.check(spec(run, true, 256L << 20, 128L << 20, List.of(), List.of()), d))
                .hasMessageContaining("maxMemory");
        assertThatThrownBy(() -> QemuCommandLine.check(spec(Path.of("/" + "x".repeat(100)), true, 256L << 20, 0, List.of(), List.of()), d))
                .hasMessageContaining("Unix socket address");
        assertThatThrownBy(() -> QemuCommandLine.check(new VmLaunchSpec("i", run, run.resolve("c"), "/k", null, null,
                3, 2, 256L << 20, 0, false, List.of(), List.of(), List.of()), d))
                .hasMessageContaining("maxCpus (2) must not be below cpus (3)");
    }
}
