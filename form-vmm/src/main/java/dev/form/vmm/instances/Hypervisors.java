package dev.form.vmm.instances;

import dev.form.core.api.ErrorCode;
import dev.form.hypervisor.Hypervisor;
import dev.form.hypervisor.HypervisorKind;
import dev.form.vmm.ApiProblem;

import java.util.EnumMap;
import java.util.Map;

/**
 * The hypervisors this service can drive: the one new instances get (chosen at start-up), and any
 * other kind it can still reach for instances recorded earlier or adopted.
 */
public final class Hypervisors {
    private final HypervisorKind preferred;
    private final Map<HypervisorKind, Hypervisor> byKind;

    public Hypervisors(HypervisorKind preferred, Map<HypervisorKind, Hypervisor> byKind) {
        this.preferred = preferred;
        this.byKind = new EnumMap<>(byKind);
        if (!this.byKind.containsKey(preferred)) throw new IllegalArgumentException("no driver for the preferred hypervisor " + preferred);
    }

    public HypervisorKind preferred() {
        return preferred;
    }

    public Hypervisor forNewInstances() {
        return byKind.get(preferred);
    }

    public Hypervisor of(HypervisorKind kind) {
        Hypervisor h = byKind.get(kind);
        if (h == null) {
            throw new ApiProblem(ErrorCode.HYPERVISOR_UNAVAILABLE, "this service has no " + kind.wireName() + " driver configured", null,
                    "start the service with --hypervisor " + kind.wireName(), null, null);
        }
        return h;
    }

    public boolean has(HypervisorKind kind) {
        return byKind.containsKey(kind);
    }
}
