package dev.form.hypervisor;

/** What the hypervisor answered to a hot-add: the device id and its guest PCI address (0000:00:05.0). */
public record AttachedDevice(String id, String pciAddress) {
}
