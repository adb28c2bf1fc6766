package dev.form.hypervisor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hypervisor's own view of a VM, used for status and reconciliation.
 *
 * @param devices every device id the hypervisor still lists (including ones the guest has not
 *                ejected yet), mapped to its PCI address or null when it has none
 */
public record VmSnapshot(VmRunState state, int vcpus, long memoryBytes, Map<String, String> devices) {
    public VmSnapshot {
        // Not Map.copyOf: a device without a PCI address maps to null, which Map.copyOf refuses.
        devices = Collections.unmodifiableMap(new LinkedHashMap<>(devices));
    }

    public boolean lists(String deviceId) {
        return devices.containsKey(deviceId);
    }
}
