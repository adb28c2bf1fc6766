package dev.form.hypervisor;

import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything needed to start one VM process. Resource lists hold the boot disks plus every
 * resource recorded as attached, so a re-created VM comes back whole.
 *
 * @param runDir     a private directory (0700) for this VM's sockets and lock files
 * @param consoleLog the file that receives the serial console
 * @param initramfs  null when the VM boots from a root disk only
 */
public record VmLaunchSpec(String instanceId, Path runDir, Path consoleLog,
                           String kernel, String initramfs, String cmdline,
                           int cpus, int maxCpus, long memoryBytes, long maxMemoryBytes, boolean sharedMemory,
                           List<DiskSpec> disks, List<FsSpec> filesystems, List<DeviceSpec> devices) {
    public VmLaunchSpec {
        disks = List.copyOf(disks);
        filesystems = List.copyOf(filesystems);
        devices = List.copyOf(devices);
    }
}
