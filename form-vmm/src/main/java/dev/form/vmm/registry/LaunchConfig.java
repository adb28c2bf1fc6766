package dev.form.vmm.registry;

import dev.form.core.model.DiskSpec;

import java.util.List;

/**
 * How an instance is (re-)launched: what create asked for, with cpus/memory following resizes.
 * Hot-added resources are not part of it; they live in the resources table.
 *
 * @param bootDisks the root disks given at create, already resolved (absolute path, format)
 */
public record LaunchConfig(String kernel, String initramfs, String cmdline, int cpus, int maxCpus,
                           long memoryBytes, long maxMemoryBytes, boolean sharedMemory, List<DiskSpec> bootDisks) {
    public LaunchConfig {
        bootDisks = bootDisks == null ? List.of() : List.copyOf(bootDisks);
    }

    public LaunchConfig withSize(int newCpus, long newMemoryBytes) {
        return new LaunchConfig(kernel, initramfs, cmdline, newCpus, maxCpus, newMemoryBytes, maxMemoryBytes, sharedMemory, bootDisks);
    }
}
