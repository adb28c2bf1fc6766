package dev.form.vmm.instances;

import dev.form.core.api.GrantView;
import dev.form.core.api.InstanceSummary;
import dev.form.core.api.InstanceView;
import dev.form.core.api.ResourceView;
import dev.form.core.model.AccessLevel;
import dev.form.core.model.InstanceState;
import dev.form.core.model.ResourceState;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.ResourceRecord;
import dev.form.vmm.registry.ResourceSpec;

import java.util.List;
import java.util.Map;

/** Turns registry rows into the API's views. */
public final class Views {
    /**
     * The state shown for an attached resource of an instance without a running hypervisor: it is
     * recorded and will be attached when the instance starts (like virsh --config).
     */
    public static final String RECORDED = "recorded";

    private Views() {
    }

    public static boolean live(InstanceState s) {
        return s == InstanceState.RUNNING || s == InstanceState.PAUSED;
    }

    public static ResourceView resource(ResourceRecord r, InstanceState instanceState) {
        ResourceSpec s = r.spec();
        String state = r.state() == ResourceState.ATTACHED && !live(instanceState) ? RECORDED : r.state().wireName();
        String pci = RECORDED.equals(state) ? null : r.pciAddress();
        return switch (s.kind()) {
            case DISK -> new ResourceView(r.id(), "disk", state, pci, s.disk().path(),
                    s.disk().format() == null ? null : s.disk().format().name().toLowerCase(java.util.Locale.ROOT),
                    s.sizeBytes(), s.disk().readonly(), s.disk().serial(), null, null, null);
            case FS -> new ResourceView(r.id(), "fs", state, pci, null, null, null, null, null, s.shareSource(),
                    s.fs().tag(), s.ownDaemon() ? null : s.fs().socketPath());
            case DEVICE -> new ResourceView(r.id(), "device", state, pci, s.device().sysfsPath(), null, null, null, null,
                    null, null, null);
        };
    }

    public static InstanceView instance(InstanceRecord i, List<ResourceRecord> resources, Map<String, AccessLevel> grants,
                                        boolean showGrants) {
        List<ResourceView> rs = resources.stream().map(r -> resource(r, i.state())).toList();
        List<GrantView> gs = showGrants ? grants.entrySet().stream().map(e -> new GrantView(e.getKey(), e.getValue().wireName())).toList() : null;
        return new InstanceView(i.id(), i.name(), i.state().wireName(), i.owner(), i.hypervisor().wireName(),
                i.launch().cpus(), i.launch().maxCpus(), i.launch().memoryBytes(), i.launch().maxMemoryBytes(),
                i.launch().sharedMemory(), i.autostart(), i.createdAt(), rs, gs);
    }

    public static InstanceSummary summary(InstanceRecord i, int resources) {
        return new InstanceSummary(i.id(), i.name(), i.state().wireName(), i.owner(), i.launch().cpus(), i.launch().memoryBytes(), resources);
    }
}
