package dev.form.vmm.host;

import dev.form.core.model.DeviceSpec;

import java.nio.file.Path;
import java.util.List;

/**
 * A PCI device that passed every VFIO check and can be given to a VM.
 *
 * @param address      its PCI address
 * @param sysfsPath    {@code <sysfs>/bus/pci/devices/<address>} (what Cloud Hypervisor takes)
 * @param iommuGroup   its IOMMU group number
 * @param groupMembers every device of that group (itself included), sorted
 * @param groupDevice  the group's VFIO device node ({@code /dev/vfio/<group>})
 */
public record VfioDevice(PciAddress address, Path sysfsPath, int iommuGroup, List<PciAddress> groupMembers,
                         Path groupDevice) {

    public VfioDevice {
        groupMembers = List.copyOf(groupMembers);
    }

    /** The driver's view of this device under the resource id {@code id}. */
    public DeviceSpec toSpec(String id, boolean iommu) {
        return new DeviceSpec(id, sysfsPath + "/", address.toString(), iommu);
    }
}
