package dev.form.vmm.instances;

import dev.form.hypervisor.RunningVm;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The live connections to the hypervisor processes of running instances, by instance id. */
public final class VmConnections {
    private final Map<String, RunningVm> vms = new ConcurrentHashMap<>();

    public Optional<RunningVm> get(String instanceId) {
        return Optional.ofNullable(vms.get(instanceId));
    }

    public void put(String instanceId, RunningVm vm) {
        RunningVm old = vms.put(instanceId, vm);
        if (old != null && old != vm) old.close();
    }

    public void drop(String instanceId) {
        RunningVm old = vms.remove(instanceId);
        if (old != null) old.close();
    }

    public Map<String, RunningVm> snapshot() {
        return Map.copyOf(vms);
    }

    /** Closes every connection; the VMs keep running. */
    public void closeAll() {
        vms.values().forEach(RunningVm::close);
        vms.clear();
    }
}
