package dev.form.vmm.config;

import dev.form.hypervisor.Hypervisor;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisor;
import dev.form.hypervisor.qemu.QemuHypervisor;
import dev.form.vmm.instances.Hypervisors;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which hypervisor new instances get. {@code --hypervisor} decides when given; otherwise Cloud
 * Hypervisor when {@code cloud-hypervisor} is on PATH and /dev/kvm is usable, else QEMU when present
 * (with KVM when usable, TCG otherwise), else a start-up error saying what is missing. The Cloud
 * Hypervisor driver is always available for re-attaching and adopting running VMs, which needs no binary.
 */
public final class HypervisorSelection {
    private HypervisorSelection() {
    }

    /** Where the machine's facts come from; tests give other roots. */
    public record Host(String path, Path devKvm) {
        public static Host current() {
            return new Host(System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), Path.of("/dev/kvm"));
        }

        Optional<Path> onPath(String name) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
            }
            return Optional.empty();
        }

        boolean kvmUsable() {
            return Files.exists(devKvm) && Files.isReadable(devKvm) && Files.isWritable(devKvm);
        }
    }

    /**
     * @param forced           null to detect
     * @param cloudHypervisorBin null to look for cloud-hypervisor on PATH
     * @param qemuBin          null to look for qemu-system-x86_64 on PATH
     */
    public static Hypervisors select(HypervisorKind forced, Path cloudHypervisorBin, Path qemuBin, Host host) {
        Optional<Path> ch = cloudHypervisorBin != null ? Optional.of(cloudHypervisorBin) : host.onPath("cloud-hypervisor");
        Optional<Path> qemu = qemuBin != null ? Optional.of(qemuBin) : host.onPath("qemu-system-x86_64");
        boolean kvm = host.kvmUsable();
        HypervisorKind kind;
        if (forced != null) {
            kind = forced;
            if (kind == HypervisorKind.CLOUD_HYPERVISOR && ch.isEmpty()) {
                throw new ConfigException("--hypervisor cloud-hypervisor: no cloud-hypervisor binary on PATH; give --cloud-hypervisor-bin PATH");
            }
            if (kind == HypervisorKind.CLOUD_HYPERVISOR && !Files.isExecutable(ch.get())) {
                throw new ConfigException("--cloud-hypervisor-bin " + ch.get() + " is not an executable file");
            }
            if (kind == HypervisorKind.QEMU && qemu.isEmpty()) {
                throw new ConfigException("--hypervisor qemu: no qemu-system-x86_64 on PATH; install QEMU or give --qemu-bin PATH");
            }
            if (kind == HypervisorKind.QEMU && !Files.isExecutable(qemu.get())) {
                throw new ConfigException("--qemu-bin " + qemu.get() + " is not an executable file");
            }
        } else if (ch.isPresent() && kvm) {
            kind = HypervisorKind.CLOUD_HYPERVISOR;
        } else if (qemu.isPresent()) {
            kind = HypervisorKind.QEMU;
        } else {
            throw new ConfigException("no hypervisor can run here: Cloud Hypervisor needs the cloud-hypervisor binary on PATH and a usable "
                    + host.devKvm() + (ch.isPresent() ? " (missing or not accessible)" : " (the binary is not on PATH)")
                    + ", and QEMU (qemu-system-x86_64) is not installed; install one, or pass --hypervisor with --cloud-hypervisor-bin or --qemu-bin");
        }
        Map<HypervisorKind, Hypervisor> drivers = new EnumMap<>(HypervisorKind.class);
        drivers.put(HypervisorKind.CLOUD_HYPERVISOR, new CloudHypervisor(ch.orElse(Path.of("cloud-hypervisor"))));
        qemu.ifPresent(q -> drivers.put(HypervisorKind.QEMU, new QemuHypervisor(q.toString(), kvm)));
        return new Hypervisors(kind, drivers);
    }
}
