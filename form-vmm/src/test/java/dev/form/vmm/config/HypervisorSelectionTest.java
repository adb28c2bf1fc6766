package dev.form.vmm.config;

import dev.form.hypervisor.HypervisorKind;
import dev.form.vmm.instances.Hypervisors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hypervisor choice against a PATH and a /dev/kvm of the test's making. */
class HypervisorSelectionTest {
    @TempDir
    Path dir;

    private Path executable(String name) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private HypervisorSelection.Host host(boolean kvm) throws Exception {
        Path kvmNode = dir.resolve("kvm");
        if (kvm) Files.writeString(kvmNode, "");
        return new HypervisorSelection.Host(dir.resolve("bin").toString(), kvmNode);
    }

    @Test
    void prefersCloudHypervisorWithKvm() throws Exception {
        executable("cloud-hypervisor");
        executable("qemu-system-x86_64");
        Hypervisors h = HypervisorSelection.select(null, null, null, host(true));
        assertThat(h.preferred()).isEqualTo(HypervisorKind.CLOUD_HYPERVISOR);
        assertThat(h.has(HypervisorKind.QEMU)).isTrue();
    }

    @Test
    void fallsBackToQemuWithoutKvm() throws Exception {
        executable("cloud-hypervisor");
        executable("qemu-system-x86_64");
        assertThat(HypervisorSelection.select(null, null, null, host(false)).preferred()).isEqualTo(HypervisorKind.QEMU);
    }

    @Test
    void anExplicitChoiceSkipsDetection() throws Exception {
        Path sim = executable("my-simulator");
        Hypervisors h = HypervisorSelection.select(HypervisorKind.CLOUD_HYPERVISOR, sim, null, host(false));
        assertThat(h.preferred()).isEqualTo(HypervisorKind.CLOUD_HYPERVISOR);
    }

    @Test
    void saysWhatIsMissingWhenNothingCanRun() throws Exception {
        Files.createDirectories(dir.resolve("bin"));
        assertThatThrownBy(() -> HypervisorSelection.select(null, null, null, host(false)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no hypervisor can run here").hasMessageContaining("QEMU");
        assertThatThrownBy(() -> HypervisorSelection.select(HypervisorKind.CLOUD_HYPERVISOR, null, null, host(true)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--cloud-hypervisor-bin");
        assertThatThrownBy(() -> HypervisorSelection.select(HypervisorKind.QEMU, null, dir.resolve("nope"), host(false)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--qemu-bin");
    }
}
