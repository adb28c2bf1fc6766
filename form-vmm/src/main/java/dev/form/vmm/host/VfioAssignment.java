package dev.form.vmm.host;

/** A PCI device currently passed to (or recorded for) an instance, as the caller's registry knows it. */
public record VfioAssignment(String instanceId, String resourceId, PciAddress address) {
}
