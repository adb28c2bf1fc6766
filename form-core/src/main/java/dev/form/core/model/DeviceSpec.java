package dev.form.core.model;

/**
 * A VFIO PCI device as the driver attaches it.
 *
 * @param sysfsPath  e.g. /sys/bus/pci/devices/0000:01:00.0/ (what Cloud Hypervisor takes)
 * @param pciAddress e.g. 0000:01:00.0 (what QEMU's vfio-pci takes)
 */
public record DeviceSpec(String id, String sysfsPath, String pciAddress, boolean iommu) {
}
