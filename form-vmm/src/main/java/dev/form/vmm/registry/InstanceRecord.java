package dev.form.vmm.registry;

import dev.form.core.model.InstanceState;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.VmEndpoint;

import java.time.Instant;

/** One instance's row: its desired state and where its hypervisor process can be found. */
public record InstanceRecord(String id, String name, String owner, InstanceState state, HypervisorKind hypervisor,
                             LaunchConfig launch, VmEndpoint endpoint, boolean autostart, boolean adopted,
                             Instant createdAt) {
    public InstanceRecord withState(InstanceState newState) {
        return new InstanceRecord(id, name, owner, newState, hypervisor, launch, endpoint, autostart, adopted, createdAt);
    }

    public InstanceRecord withEndpoint(VmEndpoint newEndpoint) {
        return new InstanceRecord(id, name, owner, state, hypervisor, launch, newEndpoint, autostart, adopted, createdAt);
    }

    public InstanceRecord withLaunch(LaunchConfig newLaunch) {
        return new InstanceRecord(id, name, owner, state, hypervisor, newLaunch, endpoint, autostart, adopted, createdAt);
    }
}
