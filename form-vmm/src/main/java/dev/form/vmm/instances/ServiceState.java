package dev.form.vmm.instances;

import dev.form.vmm.access.Authorization;
import dev.form.vmm.registry.Registry;
import dev.form.vmm.resources.HostResources;

import java.time.Clock;

/** What the operations share: the registry, the hypervisors and live VMs, the host side, the rules. */
public record ServiceState(Registry registry, Hypervisors hypervisors, VmConnections vms, InstanceLocks locks,
                           HostResources host, Authorization authorization, ServiceSettings settings, Clock clock) {
}
