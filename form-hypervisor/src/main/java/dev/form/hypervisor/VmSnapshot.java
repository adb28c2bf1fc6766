package dev.form.hypervisor;

import java.util.Map;

/**
 * The hypervisor's own view of a VM, used for status and reconciliation.
 *
 * @param devices every device id the hypervisor still lists (including ones the guest has not
 *                ejected yet), mapped to its PCI address or null when it has none
 */
public record VmSnapshot(VmRunState state, int vcpus, long memoryBytes, Map<String, String> devices) {
    public VmSnapshot {
        devices = Map.copyOf(devices);
    }

    public boolean lists(String deviceId) {
        return devices.containsKey(deviceId);
    }
}
