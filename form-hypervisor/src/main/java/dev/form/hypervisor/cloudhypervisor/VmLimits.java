package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.cloudhypervisor.model.VmConfig;

import java.util.List;

/**
 * The facts about one VM that decide whether a device config is acceptable to it. Fixed at
 * vm.create: boot vCPUs cap every device's queue count, the PCI segments bound
 * {@code pci_segment}, only IOMMU segments take {@code iommu:true} devices, and vhost-user devices
 * (virtio-fs) need shared memory.
 */
public record VmLimits(int bootVcpus, int numPciSegments, List<Integer> iommuSegments, boolean sharedMemory) {

    /** Nothing known about the VM: only the VM-independent rules are checked. */
    public static final VmLimits UNKNOWN = new VmLimits(Integer.MAX_VALUE, 65536, null, true);

    public VmLimits {
        iommuSegments = iommuSegments == null ? null : List.copyOf(iommuSegments);
    }

    public boolean knowsIommu() {
        return iommuSegments != null;
    }

    public static VmLimits of(VmConfig config) {
        int vcpus = config.cpus() != null && config.cpus().bootVcpus() != null ? config.cpus().bootVcpus() : 1;
        int segments = config.platform() != null && config.platform().numPciSegments() != null
                ? config.platform().numPciSegments() : 1;
        List<Integer> iommu = config.platform() != null && config.platform().iommuSegments() != null
                ? config.platform().iommuSegments() : List.of();
        boolean shared = config.memory() != null && (Boolean.TRUE.equals(config.memory().shared())
                || Boolean.TRUE.equals(config.memory().hugepages()));
        return new VmLimits(vcpus, segments, iommu, shared);
    }
}
