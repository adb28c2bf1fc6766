package dev.form.vmm.reconcile;

import dev.form.core.api.ErrorBody;
import dev.form.core.api.ErrorCode;
import dev.form.core.api.ResourceView;
import dev.form.core.model.InstanceState;
import dev.form.core.model.ResourceState;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmSnapshot;
import dev.form.vmm.audit.AuditTrail;
import dev.form.vmm.instances.InstanceLocks;
import dev.form.vmm.instances.InstanceOperations;
import dev.form.vmm.instances.ServiceState;
import dev.form.vmm.instances.Views;
import dev.form.vmm.pipeline.ApiResponse;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.registry.NonceStore;
import dev.form.vmm.registry.OpenRequestStore;
import dev.form.vmm.registry.ResourceRecord;
import dev.form.vmm.registry.ResourceStore;
import dev.form.vmm.resources.ResourceFinisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes the registry and the hypervisors agree. At start-up: re-attach to every VM that should run,
 * settle every open intent by the device id written in it (listed: attached; not listed: dropped),
 * finish pending removals, record drift, and start autostart instances that are down. While running:
 * notice VMs whose process ended (a guest that powered off) and finish removals the guests completed.
 * Every settled request gets exactly one recorded outcome under its nonce.
 */
public final class Reconciler implements ResourceFinisher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final ServiceState s;
    private final InstanceOperations instances;
    private final ScheduledExecutorService background;
    /** Rounds between two liveness questions to the same VM (at the 500 ms period: 5 s). */
    static final int LIVENESS_ROUNDS = 10;
    /** Rounds run so far; only the reconciler's own thread runs them. */
    private long rounds;

    public Reconciler(ServiceState state, InstanceOperations instances) {
        this.s = state;
        this.instances = instances;
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "form-vmm-reconciler");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs the start-up reconciliation, then the periodic watch every {@code periodMs}. */
    public void start(long periodMs) {
        atStartup();
        background.scheduleWithFixedDelay(this::tick, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void watch(String instanceId) {
        background.execute(this::tick);
    }

    @Override
    public void close() {
        background.shutdownNow();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- start-up ------------------------------------------------------------------------------

    public void atStartup() {
        for (InstanceRecord inst : s.registry().read(InstanceStore::all)) {
            try (InstanceLocks.Held ignored = s.locks().acquire(inst.id())) {
                reconnectAndSettle(s.registry().read(c -> InstanceStore.byId(c, inst.id())).orElse(null));
            } catch (RuntimeException e) {
                LOG.error("reconciling instance {} failed", inst.id(), e);
            }
        }
        for (InstanceRecord inst : s.registry().read(InstanceStore::all)) {
            if (!inst.autostart() || Views.live(inst.state()) || inst.launch().kernel() == null) continue;
            try (InstanceLocks.Held ignored = s.locks().acquire(inst.id())) {
                instances.startRecorded(inst, "service", null);
                LOG.info("autostarted instance {} ({})", inst.name(), inst.id());
            } catch (HypervisorException | RuntimeException e) {
                LOG.error("autostart of instance {} failed: {}", inst.id(), e.getMessage());
                s.registry().write(c -> {
                    AuditTrail.service(c, inst.id(), "autostart", null, null, "failed: " + e.getMessage());
                    return null;
                });
            }
        }
    }

    private void reconnectAndSettle(InstanceRecord inst) {
        if (inst == null) return;
        if (inst.state() == InstanceState.CREATING) {
            s.registry().write(c -> {
                InstanceStore.update(c, inst.withState(InstanceState.FAILED));
                AuditTrail.service(c, inst.id(), "create", null, null, "the service stopped while the instance was being created; start it again");
                return null;
            });
            return;
        }
        if (!Views.live(inst.state())) {
            settleGone(inst, "the instance is not running");
            return;
        }
        RunningVm vm = s.vms().get(inst.id()).orElse(null);
        if (vm == null && inst.endpoint() != null && s.hypervisors().has(inst.hypervisor())) {
            try {
                vm = s.hypervisors().of(inst.hypervisor()).reattach(inst.endpoint());
                s.vms().put(inst.id(), vm);
            } catch (HypervisorException e) {
                LOG.info("instance {} no longer runs ({}): recording it stopped", inst.id(), e.getMessage());
            }
        }
        if (vm == null || !vm.alive()) {
            settleGone(inst, "its hypervisor process was gone when the service started");
            instances.releaseHostSide(inst);
            s.registry().write(c -> {
                instances.markStopped(c, inst);
                AuditTrail.service(c, inst.id(), "stop", null, null, "found stopped: its hypervisor process is gone");
                return null;
            });
            return;
        }
        settleRunning(inst, vm);
    }

    /** The VM has no process: open intents did not happen, pending removals are complete. */
    private void settleGone(InstanceRecord inst, String why) {
        List<ResourceRecord> rows = s.registry().read(c -> ResourceStore.live(c, inst.id()));
        for (ResourceRecord r : rows) {
            if (r.state() == ResourceState.ATTACHING) undoIntent(r);
            if (r.state() == ResourceState.PENDING_REMOVAL) finishRelease(r);
        }
        s.registry().write(c -> {
            for (ResourceRecord r : rows) {
                if (r.state() == ResourceState.ATTACHING) {
                    ResourceStore.delete(c, r.seq());
                    AuditTrail.service(c, inst.id(), "add", r.id(), r.intentId(), "dropped: " + why);
                } else if (r.state() == ResourceState.PENDING_REMOVAL) {
                    ResourceStore.updateState(c, r.seq(), ResourceState.REMOVED, null, null);
                    AuditTrail.service(c, inst.id(), "remove", r.id(), r.intentId(), "finished: " + why);
                }
            }
            recordOpenOutcomes(c, inst);
            return null;
        });
    }

    private void settleRunning(InstanceRecord inst, RunningVm vm) {
        VmSnapshot snap;
        try {
            snap = vm.snapshot();
        } catch (HypervisorException e) {
            LOG.warn("cannot read VM {} to reconcile it: {}", inst.id(), e.getMessage());
            return;
        }
        List<ResourceRecord> rows = s.registry().read(c -> ResourceStore.live(c, inst.id()));
        // a batch is all or nothing: if one element of an intent did not make it, none is kept
        Set<String> brokenIntents = new HashSet<>();
        for (ResourceRecord r : rows) {
            if (r.state() == ResourceState.ATTACHING && !snap.lists(r.id()) && r.intentId() != null) brokenIntents.add(r.intentId());
        }
        List<ResourceRecord> toUndo = new ArrayList<>();
        List<ResourceRecord> toDetach = new ArrayList<>();
        List<ResourceRecord> released = new ArrayList<>();
        for (ResourceRecord r : rows) {
            if (r.state() == ResourceState.ATTACHING) {
                boolean listed = snap.lists(r.id());
                if (brokenIntents.contains(r.intentId())) {
                    if (listed) toDetach.add(r);
                    else toUndo.add(r);
                }
            } else if (r.state() == ResourceState.PENDING_REMOVAL) {
                if (!snap.lists(r.id())) {
                    finishRelease(r);
                    released.add(r);
                } else {
                    try {
                        vm.removeDevice(r.id()); // the crash may have come before the hypervisor was asked
                    } catch (HypervisorException e) {
                        LOG.debug("re-asking removal of {}: {}", r.id(), e.getMessage());
                    }
                }
            } else if (r.state() == ResourceState.ATTACHED && !s.host().takeOver(inst.id(), r.spec())) {
                LOG.warn("the virtiofsd of {} on {} is gone", r.id(), inst.id());
            }
        }
        for (ResourceRecord r : toDetach) {
            try {
                vm.removeDevice(r.id());
            } catch (HypervisorException e) {
                LOG.warn("cannot detach {} of a broken batch: {}", r.id(), e.getMessage());
            }
        }
        toUndo.forEach(this::undoIntent);
        List<String> orphans;
        try {
            orphans = vm.releaseOrphanedBackends(); // a crash between a backend and its device leaves one behind
        } catch (HypervisorException e) {
            LOG.warn("cannot release orphaned backends of {}: {}", inst.id(), e.getMessage());
            orphans = List.of();
        }
        List<String> releasedOrphans = orphans;
        Set<String> known = new HashSet<>();
        rows.forEach(r -> known.add(r.id()));
        inst.launch().bootDisks().forEach(d -> known.add(d.id()));
        s.registry().write(c -> {
            for (ResourceRecord r : rows) {
                if (r.state() == ResourceState.ATTACHING) {
                    if (toUndo.contains(r)) {
                        ResourceStore.delete(c, r.seq());
                        AuditTrail.service(c, inst.id(), "add", r.id(), r.intentId(), "dropped: the hypervisor does not list it");
                    } else if (toDetach.contains(r)) {
                        // keeps the add's nonce: when the guest lets go, that failed add says the image it made goes too
                        ResourceStore.updateState(c, r.seq(), ResourceState.PENDING_REMOVAL, snap.devices().get(r.id()), r.intentId());
                        AuditTrail.service(c, inst.id(), "add", r.id(), r.intentId(), "taken out again: another element of its batch did not attach");
                    } else {
                        ResourceStore.updateState(c, r.seq(), ResourceState.ATTACHED, snap.devices().get(r.id()), null);
                        AuditTrail.service(c, inst.id(), "add", r.id(), r.intentId(), "attached: the hypervisor lists it");
                    }
                } else if (released.contains(r)) {
                    ResourceStore.updateState(c, r.seq(), ResourceState.REMOVED, null, null);
                    AuditTrail.service(c, inst.id(), "remove", r.id(), r.intentId(), "finished: the guest released it");
                } else if (r.state() == ResourceState.ATTACHED && !snap.lists(r.id())) {
                    AuditTrail.service(c, inst.id(), "drift", r.id(), null, "recorded as attached but the hypervisor does not list it");
                } else if (r.state() == ResourceState.ATTACHED && r.pciAddress() == null && snap.devices().get(r.id()) != null) {
                    ResourceStore.updateState(c, r.seq(), ResourceState.ATTACHED, snap.devices().get(r.id()), null);
                }
            }
            for (Map.Entry<String, String> d : snap.devices().entrySet()) {
                if (!known.contains(d.getKey()) && !d.getKey().startsWith("_") && !inst.adopted()) {
                    AuditTrail.service(c, inst.id(), "drift", d.getKey(), null, "the hypervisor lists a device the registry does not know");
                }
            }
            for (String orphan : releasedOrphans) {
                AuditTrail.service(c, inst.id(), "drift", null, null, "released an orphaned backend: " + orphan);
            }
            InstanceRecord current = InstanceStore.byId(c, inst.id()).orElse(inst);
            if (snap.vcpus() > 0 && (snap.vcpus() != current.launch().cpus() || snap.memoryBytes() != current.launch().memoryBytes())
                    && snap.memoryBytes() > 0) {
                InstanceStore.update(c, current.withLaunch(current.launch().withSize(snap.vcpus(), snap.memoryBytes())));
                AuditTrail.service(c, inst.id(), "drift", null, null, "size taken from the hypervisor: " + snap.vcpus() + " cpus, "
                        + snap.memoryBytes() + " bytes");
            }
            recordOpenOutcomes(c, current);
            return null;
        });
    }

    /** Records an outcome for every request of the instance whose intent was open. */
    private void recordOpenOutcomes(Connection c, InstanceRecord inst) throws SQLException {
        InstanceRecord current = InstanceStore.byId(c, inst.id()).orElse(inst);
        List<ResourceRecord> history = ResourceStore.history(c, inst.id());
        for (OpenRequestStore.OpenRequest open : OpenRequestStore.ofInstance(c, inst.id())) {
            List<ResourceRecord> mine = history.stream().filter(r -> open.nonce().equals(r.intentId())).toList();
            ApiResponse outcome;
            if (open.operation().equals("remove")) {
                outcome = mine.isEmpty()
                        ? ApiResponse.json(500, new ErrorBody(ErrorCode.INTERNAL.wire(), "the service restarted during the removal and lost track of it", null, null, null))
                        : ApiResponse.json(200, Views.resource(mine.getLast(), current.state()));
            } else {
                boolean allAttached = !mine.isEmpty() && mine.stream().allMatch(r -> r.state() == ResourceState.ATTACHED);
                if (allAttached) {
                    List<ResourceView> views = mine.stream().map(r -> Views.resource(r, current.state())).toList();
                    outcome = open.single() ? ApiResponse.json(201, views.getFirst()) : ApiResponse.json(201, views);
                } else {
                    outcome = ApiResponse.json(500, new ErrorBody(ErrorCode.INTERNAL.wire(),
                            "the service restarted before the hypervisor attached " + (open.single() ? "the resource" : "every resource of the batch")
                                    + "; nothing was added", null, "send a new request (with a new nonce) to try again", null));
                }
            }
            NonceStore.record(c, new NonceStore.SeenNonce(open.nonce(), open.method(), open.target(), open.bodySha256(), open.expires(),
                    open.caller(), outcome.status(), outcome.contentType(), outcome.body()));
            OpenRequestStore.delete(c, open.nonce());
            AuditTrail.service(c, inst.id(), open.operation(), null, open.nonce(), "outcome recorded by reconciliation: " + outcome.status());
        }
    }

    private void undoIntent(ResourceRecord r) {
        releaseQuietly(r);
        try {
            s.host().purge(r.instanceId(), r.spec());
        } catch (RuntimeException e) {
            LOG.warn("could not delete the image created for {}: {}", r.id(), e.getMessage());
        }
    }

    /**
     * Releases what backed a removed device on the host. A device left by an add that failed (taken
     * out again because the rest of its batch, or its record, did not make it) also loses the image
     * that add created: nobody was ever told it exists. A removal the owner asked for keeps it.
     */
    private void finishRelease(ResourceRecord r) {
        boolean leftByAFailedAdd = r.intentId() != null && s.registry().read(c -> NonceStore.find(c, r.intentId()))
                .filter(n -> n.method().equals("POST") && n.status() >= 300).isPresent();
        if (leftByAFailedAdd) undoIntent(r);
        else releaseQuietly(r);
    }

    private void releaseQuietly(ResourceRecord r) {
        try {
            s.host().release(r.instanceId(), r.spec());
        } catch (RuntimeException e) {
            LOG.warn("releasing {} of {} failed: {}", r.id(), r.instanceId(), e.getMessage());
        }
    }

    // ---- while running -------------------------------------------------------------------------

    /** One round of the watch: VMs that ended, removals the guests finished. */
    public void tick() {
        long round = rounds++;
        try {
            List<InstanceRecord> all = s.registry().read(InstanceStore::all);
            Set<String> pendingOn = s.registry().read(c -> ResourceStore.instancesWith(c, ResourceState.PENDING_REMOVAL));
            for (int i = 0; i < all.size(); i++) {
                InstanceRecord inst = all.get(i);
                if (!Views.live(inst.state())) continue;
                RunningVm vm = s.vms().get(inst.id()).orElse(null);
                if (vm == null) continue;
                // Asking a VM whether it is alive is a call to its hypervisor: each VM is asked every
                // LIVENESS_ROUNDS rounds (5 s), not every round, so that a host with 100 VMs does not spend
                // 100 such calls and 200 registry reads twice a second, beside the requests it serves.
                boolean askAlive = (i % LIVENESS_ROUNDS) == Math.floorMod(round, LIVENESS_ROUNDS);
                boolean pending = pendingOn.contains(inst.id());
                if (!askAlive && !pending) continue;
                InstanceLocks.Held held = s.locks().tryAcquire(inst.id());
                if (held == null) continue;
                try (held) {
                    InstanceRecord current = s.registry().read(c -> InstanceStore.byId(c, inst.id())).orElse(null);
                    if (current == null || !Views.live(current.state())) continue;
                    if (askAlive && !vm.alive()) {
                        settleGone(current, "the VM's process ended");
                        instances.releaseHostSide(current);
                        s.registry().write(c -> {
                            instances.markStopped(c, current);
                            AuditTrail.service(c, current.id(), "stop", null, null, "the guest powered off (its hypervisor process ended)");
                            return null;
                        });
                        continue;
                    }
                    if (pending) finishRemovals(current, vm);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("reconciliation round failed: {}", e.getMessage());
        }
    }

    private void finishRemovals(InstanceRecord inst, RunningVm vm) {
        List<ResourceRecord> pending = s.registry().read(c -> ResourceStore.live(c, inst.id())).stream()
                .filter(r -> r.state() == ResourceState.PENDING_REMOVAL).toList();
        if (pending.isEmpty()) return;
        VmSnapshot snap;
        try {
            snap = vm.snapshot();
        } catch (HypervisorException e) {
            return;
        }
        List<ResourceRecord> done = pending.stream().filter(r -> !snap.lists(r.id())).toList();
        if (done.isEmpty()) return;
        done.forEach(this::finishRelease);
        s.registry().write(c -> {
            for (ResourceRecord r : done) {
                ResourceStore.updateState(c, r.seq(), ResourceState.REMOVED, null, null);
                AuditTrail.service(c, inst.id(), "remove", r.id(), r.intentId(), "finished: the guest released it");
            }
            return null;
        });
    }
}
