package dev.form.vmm.instances;

import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ResourceState;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.ResourceRecord;
import dev.form.vmm.registry.ResourceStore;
import dev.form.vmm.resources.Prepared;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-creates an instance's hypervisor process with its boot configuration and every resource recorded
 * for it (persistent, like virsh attach-disk --persistent): used by create, start and autostart.
 */
public final class InstanceLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceLauncher.class);

    private final ServiceState s;

    public InstanceLauncher(ServiceState state) {
        this.s = state;
    }

    /** A launched VM and the resources it was launched with. */
    public record Launched(RunningVm vm, List<ResourceRecord> resources) {
    }

    /**
     * Brings back the host side of every attached resource (virtiofsd daemons), then launches. On
     * failure everything brought back is taken down again and the hypervisor's refusal is thrown.
     */
    public Launched launch(InstanceRecord inst) throws HypervisorException {
        List<ResourceRecord> resources = s.registry().read(c -> ResourceStore.live(c, inst.id())).stream()
                .filter(r -> r.state() == ResourceState.ATTACHED && !r.spec().adopted()).toList();
        List<Prepared> reactivated = new ArrayList<>();
        try {
            for (ResourceRecord r : resources) reactivated.add(s.host().reactivate(inst.id(), r.spec()));
            List<DiskSpec> disks = new ArrayList<>(inst.launch().bootDisks());
            List<FsSpec> fs = new ArrayList<>();
            List<DeviceSpec> devices = new ArrayList<>();
            for (Prepared p : reactivated) {
                switch (p.spec().kind()) {
                    case DISK -> disks.add(p.spec().disk());
                    case FS -> fs.add(p.spec().fs());
                    case DEVICE -> devices.add(p.spec().device());
                }
            }
            Path runDir = privateDir(s.host().runDir(inst.id()));
            Path console = s.host().consoleLog(inst.id());
            privateDir(console.getParent());
            var l = inst.launch();
            VmLaunchSpec spec = new VmLaunchSpec(inst.id(), runDir, console, l.kernel(), l.initramfs(), l.cmdline(),
                    l.cpus(), l.maxCpus(), l.memoryBytes(), l.maxMemoryBytes(), l.sharedMemory(), disks, fs, devices);
            RunningVm vm = s.hypervisors().of(inst.hypervisor()).launch(spec);
            tighten(console);
            return new Launched(vm, resources);
        } catch (HypervisorException | RuntimeException e) {
            for (Prepared p : reactivated) {
                try {
                    p.undo().run();
                } catch (RuntimeException undoFailure) {
                    LOG.warn("undoing a reactivation of {} failed: {}", inst.id(), undoFailure.getMessage());
                }
            }
            throw e;
        }
    }

    private static Path privateDir(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new ApiProblem(dev.form.core.api.ErrorCode.INTERNAL, "cannot prepare the directory " + dir + ": " + e.getMessage());
        }
        return dir;
    }

    private static void tighten(Path file) {
        try {
            if (Files.exists(file)) Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException ignored) {
            // the consoles directory is 0700 anyway
        }
    }
}
