package dev.form.vmm.resources;

import dev.form.core.api.AddDeviceRequest;
import dev.form.core.api.AddDiskRequest;
import dev.form.core.api.AddFsRequest;
import dev.form.core.api.AddResourceRequest;
import dev.form.core.api.ErrorCode;
import dev.form.core.api.ResizeRequest;
import dev.form.core.api.ResourceView;
import dev.form.core.auth.Operation;
import dev.form.core.model.InstanceState;
import dev.form.core.model.ResourceKind;
import dev.form.core.model.ResourceState;
import dev.form.hypervisor.AttachedDevice;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmSnapshot;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.audit.AuditTrail;
import dev.form.vmm.instances.HypervisorProblems;
import dev.form.vmm.instances.InstanceLocks;
import dev.form.vmm.instances.InstanceLookup;
import dev.form.vmm.instances.ServiceState;
import dev.form.vmm.instances.Views;
import dev.form.vmm.pipeline.ApiResponse;
import dev.form.vmm.pipeline.Call;
import dev.form.vmm.pipeline.FaultPoints;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.registry.OpenRequestStore;
import dev.form.vmm.registry.ResourceRecord;
import dev.form.vmm.registry.ResourceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The heart of form: add (one resource or an all-or-nothing batch), remove and resize, each through
 * the same steps — resolve, authorize, validate, serialize per instance, check state, prepare on the
 * host, durable intent, hypervisor call, durable result with the request's outcome, audit.
 */
public final class ResourceOperations {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceOperations.class);

    private final ServiceState s;
    private final ResourceFinisher finisher;

    public ResourceOperations(ServiceState state, ResourceFinisher finisher) {
        this.s = state;
        this.finisher = finisher;
    }

    // ---- add -------------------------------------------------------------------------------

    public ApiResponse addOne(Call call, String ref, ResourceKind kind) {
        // the single routes take the batch element's shape, where "kind" may be left out
        AddResourceRequest request = call.body(AddResourceRequest.class, object -> {
            com.fasterxml.jackson.databind.JsonNode k = object.get("kind");
            if (k == null || k.isNull()) {
                object.put("kind", kind.wireName());
            } else if (!kind.wireName().equals(k.asText())) {
                throw ApiProblem.invalid("kind", "this route adds a " + kind.wireName() + "; \"kind\" must be \"" + kind.wireName()
                        + "\" or left out, not " + k);
            }
        });
        return add(call, ref, List.of(request), true);
    }

    public ApiResponse batch(Call call, String ref) {
        com.fasterxml.jackson.databind.JsonNode tree = call.body(com.fasterxml.jackson.databind.JsonNode.class);
        if (!tree.isArray()) throw ApiProblem.invalid("body", "a batch is a JSON array of resources, each with \"kind\": disk, fs or device");
        for (int i = 0; i < tree.size(); i++) {
            com.fasterxml.jackson.databind.JsonNode k = tree.get(i).get("kind");
            if (k == null || !java.util.Set.of("disk", "fs", "device").contains(k.asText())) {
                throw ApiProblem.invalid("[" + i + "].kind", "every batch element needs \"kind\": disk, fs or device");
            }
        }
        AddResourceRequest[] items = call.body(AddResourceRequest[].class);
        if (items.length == 0) throw ApiProblem.invalid("body", "a batch needs at least one resource");
        for (int i = 0; i < items.length; i++) {
            if (items[i] == null) throw ApiProblem.invalid("[" + i + "].kind", "every batch element needs \"kind\": disk, fs or device");
        }
        return add(call, ref, List.of(items), false);
    }

    private static ResourceKind kindOf(AddResourceRequest r) {
        return switch (r) {
            case AddDiskRequest d -> ResourceKind.DISK;
            case AddFsRequest f -> ResourceKind.FS;
            case AddDeviceRequest d -> ResourceKind.DEVICE;
        };
    }

    private static String givenId(AddResourceRequest r) {
        return switch (r) {
            case AddDiskRequest d -> d.diskId();
            case AddFsRequest f -> f.fsId();
            case AddDeviceRequest d -> d.deviceId();
        };
    }

    private static String idField(AddResourceRequest r) {
        return switch (r) {
            case AddDiskRequest d -> "diskId";
            case AddFsRequest f -> "fsId";
            case AddDeviceRequest d -> "deviceId";
        };
    }

    private ApiResponse add(Call call, String ref, List<AddResourceRequest> items, boolean single) {
        InstanceRecord found = s.registry().read(c -> {
            InstanceRecord i = InstanceLookup.resolve(c, ref);
            s.authorization().require(c, i, call.caller(), Operation.ADD_RESOURCE);
            return i;
        });
        for (int i = 0; i < items.size(); i++) {
            String prefix = single ? "" : "[" + i + "].";
            try {
                s.host().validate(facts(found), items.get(i));
            } catch (ApiProblem p) {
                throw prefixed(p, prefix);
            }
        }
        try (InstanceLocks.Held ignored = s.locks().acquire(found.id())) {
            InstanceRecord inst = s.registry().read(c -> InstanceLookup.resolve(c, found.id()));
            boolean live = Views.live(inst.state());
            if (!live && inst.state() != InstanceState.STOPPED) {
                throw ApiProblem.wrongState("instance " + inst.name() + " is " + inst.state().wireName()
                        + "; resources can be added while it is running, paused or stopped", "wait until it is running or stopped");
            }
            RunningVm vm = live ? connection(inst) : null;
            Set<String> hypervisorIds = new HashSet<>();
            if (vm != null) {
                try {
                    hypervisorIds.addAll(vm.deviceIds());
                } catch (HypervisorException e) {
                    throw HypervisorProblems.of("cannot read the VM's devices", e);
                }
            }
            // other instances matter only for what they share with this request: images and PCI devices
            Set<ResourceKind> kinds = new HashSet<>();
            items.forEach(item -> kinds.add(kindOf(item)));
            kinds.remove(ResourceKind.FS);
            List<ResourceRecord> sharedKinds = new ArrayList<>();
            // one snapshot for both lookups: one pooled connection, one read transaction
            List<ResourceRecord> liveHere = s.registry().read(c -> {
                for (ResourceKind k : kinds) sharedKinds.addAll(ResourceStore.allLiveOfKind(c, k));
                return ResourceStore.live(c, inst.id());
            });
            List<ResourceRecord> liveEverywhere = new ArrayList<>(liveHere.stream().filter(r -> r.spec().kind() == ResourceKind.FS).toList());
            liveEverywhere.addAll(sharedKinds);
            Set<String> taken = new HashSet<>(hypervisorIds);
            liveHere.forEach(r -> taken.add(r.id()));
            inst.launch().bootDisks().forEach(d -> taken.add(d.id()));

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                AddResourceRequest item = items.get(i);
                String field = (single ? "" : "[" + i + "].") + idField(item);
                String given = givenId(item);
                if (given != null) {
                    if (hypervisorIds.contains(given) && liveHere.stream().noneMatch(r -> r.id().equals(given))) {
                        throw ApiProblem.conflict(field, "id '" + given + "' is still listed by the hypervisor: the guest has not released"
                                + " the device that had it; ids are never reused before that");
                    }
                    if (taken.contains(given) || ids.contains(given)) {
                        throw ApiProblem.conflict(field, "id '" + given + "' is already in use on instance " + inst.name());
                    }
                }
                String id;
                try {
                    Set<String> all = new HashSet<>(taken);
                    all.addAll(ids);
                    id = s.host().resourceId(kindOf(item), field, given, all);
                } catch (ApiProblem p) {
                    throw p;
                }
                ids.add(id);
            }

            List<Prepared> prepared = new ArrayList<>();
            try {
                List<ResourceRecord> seen = new ArrayList<>(liveEverywhere);
                for (int i = 0; i < items.size(); i++) {
                    String prefix = single ? "" : "[" + i + "].";
                    Prepared p;
                    try {
                        p = prepare(inst, ids.get(i), items.get(i), live, seen);
                    } catch (ApiProblem problem) {
                        throw prefixed(problem, prefix);
                    }
                    prepared.add(p);
                    // later batch elements must see earlier ones as attachments (two writers of one image)
                    seen.add(new ResourceRecord(0, inst.id(), ids.get(i), ResourceState.ATTACHING, p.spec(), null, null, null, Instant.now()));
                }
            } catch (RuntimeException e) {
                undoAll(prepared);
                throw e;
            }
            return live ? attachLive(call, inst, vm, prepared, single) : recordCold(call, inst, prepared, single);
        }
    }

    private Prepared prepare(InstanceRecord inst, String id, AddResourceRequest item, boolean live, List<ResourceRecord> liveEverywhere) {
        return switch (item) {
            case AddDiskRequest d -> {
                List<HostResources.BootDisk> bootDisks = s.registry().read(ResourceOperations::bootDisksOfAll);
                yield s.host().prepareDisk(facts(inst), id, d, liveEverywhere, bootDisks,
                        image -> s.registry().read(c -> ResourceStore.creatorOfRemovedImage(c, image.toString())).orElse(null));
            }
            case AddFsRequest f -> s.host().prepareFs(facts(inst), id, f, live,
                    liveEverywhere.stream().filter(r -> r.instanceId().equals(inst.id())).toList());
            case AddDeviceRequest d -> s.host().prepareDevice(facts(inst), id, d, liveEverywhere);
        };
    }

    private static HostResources.InstanceFacts facts(InstanceRecord i) {
        return new HostResources.InstanceFacts(i.id(), i.launch().cpus(), i.hypervisor(), i.launch().sharedMemory());
    }

    private static List<HostResources.BootDisk> bootDisksOfAll(java.sql.Connection c) throws java.sql.SQLException {
        List<HostResources.BootDisk> out = new ArrayList<>();
        for (InstanceRecord i : InstanceStore.withBootDisks(c)) {
            for (var d : i.launch().bootDisks()) out.add(new HostResources.BootDisk(i.id(), d, null));
        }
        return out;
    }

    private ApiResponse recordCold(Call call, InstanceRecord inst, List<Prepared> prepared, boolean single) {
        try {
            return call.commit(c -> {
                List<ResourceView> views = new ArrayList<>();
                for (Prepared p : prepared) {
                    ResourceRecord row = ResourceStore.insert(c, new ResourceRecord(0, inst.id(), p.spec().deviceId(), ResourceState.ATTACHED,
                            p.spec(), null, call.requestId(), call.caller(), Instant.now()));
                    AuditTrail.ok(c, call.caller(), inst.id(), "add-" + p.spec().kind().wireName(), row.id(), call.requestId(), 201,
                            "recorded only: instance is stopped; attached at its next start");
                    views.add(Views.resource(row, inst.state()));
                }
                return single ? ApiResponse.json(201, views.getFirst()) : ApiResponse.json(201, views);
            });
        } catch (RuntimeException e) {
            undoAll(prepared);
            throw e;
        }
    }

    private ApiResponse attachLive(Call call, InstanceRecord inst, RunningVm vm, List<Prepared> prepared, boolean single) {
        List<ResourceRecord> rows;
        try {
            rows = s.registry().writeIntent(c -> {
                List<ResourceRecord> out = new ArrayList<>();
                for (Prepared p : prepared) {
                    out.add(ResourceStore.insert(c, new ResourceRecord(0, inst.id(), p.spec().deviceId(), ResourceState.ATTACHING,
                            p.spec(), null, call.requestId(), call.caller(), Instant.now())));
                }
                OpenRequestStore.insert(c, openRequest(call, inst, single ? "add" : "batch", single));
                return out;
            });
        } catch (RuntimeException e) {
            undoAll(prepared);
            throw e;
        }
        FaultPoints.reach(FaultPoints.ADD_AFTER_INTENT);

        List<AttachedDevice> attached = new ArrayList<>();
        for (int i = 0; i < prepared.size(); i++) {
            Prepared p = prepared.get(i);
            if (i > 0) FaultPoints.reach(FaultPoints.ADD_BETWEEN_ELEMENTS);
            try {
                attached.add(attachOne(vm, p));
            } catch (HypervisorException e) {
                return failAttach(call, inst, vm, prepared, rows, attached, i, e, single);
            }
        }
        FaultPoints.reach(FaultPoints.ADD_AFTER_HYPERVISOR);
        try {
            ApiResponse response = call.commit(c -> {
                FaultPoints.failWrite(FaultPoints.ADD_RESULT_WRITE);
                List<ResourceView> views = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    ResourceRecord row = rows.get(i);
                    String pci = attached.get(i).pciAddress();
                    ResourceStore.updateState(c, row.seq(), ResourceState.ATTACHED, pci, null);
                    AuditTrail.ok(c, call.caller(), inst.id(), "add-" + row.spec().kind().wireName(), row.id(), call.requestId(), 201,
                            pci == null ? "attached" : "attached at " + pci);
                    views.add(Views.resource(row.withState(ResourceState.ATTACHED, pci), inst.state()));
                }
                OpenRequestStore.delete(c, call.requestId());
                return single ? ApiResponse.json(201, views.getFirst()) : ApiResponse.json(201, views);
            });
            FaultPoints.reach(FaultPoints.ADD_AFTER_RESULT);
            return response;
        } catch (RuntimeException recordFailure) {
            // the hypervisor has the devices but the registry does not: take them out again
            LOG.error("recording the attach of {} on {} failed; removing the devices again", ids(rows), inst.id(), recordFailure);
            detachAgain(vm, attached);
            undoAll(prepared);
            try {
                s.registry().write(c -> {
                    for (ResourceRecord r : rows) ResourceStore.delete(c, r.seq());
                    OpenRequestStore.delete(c, call.requestId());
                    return null;
                });
            } catch (RuntimeException stillFailing) {
                LOG.error("the intent for {} stays open; reconciliation settles it", ids(rows), stillFailing);
            }
            throw new ApiProblem(ErrorCode.INTERNAL, "the service could not record the new resources and took them out again", null, null, null, recordFailure);
        }
    }

    private static AttachedDevice attachOne(RunningVm vm, Prepared p) throws HypervisorException {
        return switch (p.spec().kind()) {
            case DISK -> vm.addDisk(p.spec().disk());
            case FS -> vm.addFs(p.spec().fs());
            case DEVICE -> vm.addDevice(p.spec().device());
        };
    }

    private ApiResponse failAttach(Call call, InstanceRecord inst, RunningVm vm, List<Prepared> prepared, List<ResourceRecord> rows,
                                   List<AttachedDevice> attached, int failedIndex, HypervisorException e, boolean single) {
        String failedId = rows.get(failedIndex).id();
        VmSnapshot after = null;
        try {
            after = vm.snapshot();
        } catch (HypervisorException snapshotFailure) {
            LOG.warn("cannot read VM {} after a failed attach: {}", inst.id(), snapshotFailure.getMessage());
        }
        if (after == null && HypervisorProblems.ambiguous(e)) {
            // we cannot tell whether the device went in: leave the intent for reconciliation, answer unrecorded
            throw new ApiProblem(ErrorCode.HYPERVISOR_UNAVAILABLE, "the hypervisor did not answer whether '" + failedId
                    + "' was attached: " + e.getMessage() + "; the service settles it when the VM answers again", null,
                    "ask again with the same signed request to get its outcome", e.chain(), e);
        }
        List<String> toRemove = new ArrayList<>();
        for (AttachedDevice a : attached) toRemove.add(a.id());
        if (after != null && after.lists(failedId)) toRemove.add(failedId); // a partial failure can leak the id
        List<String> lingering = detachAgain(vm, toRemove.stream().map(id -> new AttachedDevice(id, null)).toList());
        ApiProblem problem = HypervisorProblems.of("attaching " + rows.get(failedIndex).spec().kind().wireName() + " '" + failedId + "'"
                + (single ? "" : " (batch element " + failedIndex + "; nothing of the batch was kept)"), e);
        List<Prepared> releasable = new ArrayList<>();
        for (int i = 0; i < prepared.size(); i++) if (!lingering.contains(rows.get(i).id())) releasable.add(prepared.get(i));
        undoAll(releasable);
        ApiResponse answer = ApiResponse.error(problem);
        return call.commit(c -> {
            for (ResourceRecord r : rows) {
                if (lingering.contains(r.id())) {
                    ResourceStore.updateState(c, r.seq(), ResourceState.PENDING_REMOVAL, null, call.requestId());
                } else {
                    ResourceStore.delete(c, r.seq());
                }
            }
            OpenRequestStore.delete(c, call.requestId());
            AuditTrail.failed(c, call.caller(), inst.id(), single ? "add-" + rows.getFirst().spec().kind().wireName() : "batch",
                    failedId, call.requestId(), answer.status(), problem.getMessage());
            return answer;
        });
    }

    /** Removes devices again after a failed step; returns the ids the guest has not released in time. */
    private List<String> detachAgain(RunningVm vm, List<AttachedDevice> devices) {
        List<String> lingering = new ArrayList<>();
        for (AttachedDevice d : devices) {
            try {
                vm.removeDevice(d.id());
            } catch (HypervisorException e) {
                if (e.kind() != HypervisorException.Kind.NOT_FOUND) LOG.warn("could not remove {} again: {}", d.id(), e.getMessage());
            }
        }
        for (AttachedDevice d : devices) {
            try {
                if (!vm.awaitRemoval(d.id(), s.settings().removalTimeout())) lingering.add(d.id());
            } catch (HypervisorException e) {
                lingering.add(d.id());
            }
        }
        return lingering;
    }

    // ---- remove ----------------------------------------------------------------------------

    public ApiResponse remove(Call call, String ref, String resourceId) {
        boolean wait = !"false".equalsIgnoreCase(call.query("wait"));
        Duration timeout = removalTimeout(call.query("timeoutMs"));
        InstanceRecord found = s.registry().read(c -> {
            InstanceRecord i = InstanceLookup.resolve(c, ref);
            s.authorization().require(c, i, call.caller(), Operation.REMOVE_RESOURCE);
            return i;
        });
        try (InstanceLocks.Held ignored = s.locks().acquire(found.id())) {
            InstanceRecord inst = s.registry().read(c -> InstanceLookup.resolve(c, found.id()));
            ResourceRecord row = s.registry().read(c -> ResourceStore.liveById(c, inst.id(), resourceId))
                    .orElseThrow(() -> ApiProblem.notFound("instance " + inst.name() + " has no resource '" + resourceId + "'"));
            if (row.state() == ResourceState.ATTACHING) {
                throw ApiProblem.conflict("resourceId", "'" + resourceId + "' is still being attached; try again when it is attached");
            }
            boolean live = Views.live(inst.state());
            if (!live) {
                if (inst.state() != InstanceState.STOPPED && inst.state() != InstanceState.FAILED) {
                    throw ApiProblem.wrongState("instance " + inst.name() + " is " + inst.state().wireName(), "wait until it is running or stopped");
                }
                s.host().release(inst.id(), row.spec());
                return call.commit(c -> {
                    ResourceStore.updateState(c, row.seq(), ResourceState.REMOVED, null, call.requestId());
                    AuditTrail.ok(c, call.caller(), inst.id(), "remove", row.id(), call.requestId(), 200, "removed from the recorded configuration");
                    return ApiResponse.json(200, Views.resource(row.withState(ResourceState.REMOVED, null), inst.state()));
                });
            }
            RunningVm vm = connection(inst);
            s.registry().writeIntent(c -> {
                ResourceStore.updateState(c, row.seq(), ResourceState.PENDING_REMOVAL, row.pciAddress(), call.requestId());
                OpenRequestStore.insert(c, openRequest(call, inst, "remove", true));
                return null;
            });
            FaultPoints.reach(FaultPoints.REMOVE_AFTER_INTENT);
            try {
                vm.removeDevice(row.id());
            } catch (HypervisorException e) {
                if (e.kind() != HypervisorException.Kind.NOT_FOUND) {
                    ApiProblem problem = HypervisorProblems.of("removing '" + row.id() + "'", e);
                    if (HypervisorProblems.ambiguous(e)) throw problem; // stays pending_removal; reconciliation settles it
                    ApiResponse answer = ApiResponse.error(problem);
                    return call.commit(c -> {
                        ResourceStore.updateState(c, row.seq(), row.state(), row.pciAddress(), null);
                        OpenRequestStore.delete(c, call.requestId());
                        AuditTrail.failed(c, call.caller(), inst.id(), "remove", row.id(), call.requestId(), answer.status(), problem.getMessage());
                        return answer;
                    });
                }
            }
            FaultPoints.reach(FaultPoints.REMOVE_AFTER_HYPERVISOR);
            boolean released;
            try {
                released = wait ? vm.awaitRemoval(row.id(), timeout) : !vm.snapshot().lists(row.id());
            } catch (HypervisorException e) {
                released = false;
            }
            if (!released) {
                finisher.watch(inst.id());
                return call.commit(c -> {
                    OpenRequestStore.delete(c, call.requestId());
                    AuditTrail.pending(c, call.caller(), inst.id(), "remove", row.id(), call.requestId(),
                            wait ? "the guest has not released it within " + timeout.toMillis() + " ms; removal finishes when it does"
                                    : "asked the hypervisor; removal finishes when the guest releases it");
                    return ApiResponse.json(200, Views.resource(row.withState(ResourceState.PENDING_REMOVAL, row.pciAddress()), inst.state()));
                });
            }
            s.host().release(inst.id(), row.spec());
            FaultPoints.reach(FaultPoints.REMOVE_AFTER_RELEASE);
            return call.commit(c -> {
                ResourceStore.updateState(c, row.seq(), ResourceState.REMOVED, null, null);
                OpenRequestStore.delete(c, call.requestId());
                AuditTrail.ok(c, call.caller(), inst.id(), "remove", row.id(), call.requestId(), 200, "removed; the guest released it");
                return ApiResponse.json(200, Views.resource(row.withState(ResourceState.REMOVED, null), inst.state()));
            });
        }
    }

    private Duration removalTimeout(String timeoutMs) {
        if (timeoutMs == null) return s.settings().removalTimeout();
        long ms;
        try {
            ms = Long.parseLong(timeoutMs);
        } catch (NumberFormatException e) {
            throw ApiProblem.invalid("timeoutMs", "timeoutMs must be a whole number of milliseconds, not '" + timeoutMs + "'");
        }
        if (ms < 0 || ms > s.settings().maxRemovalTimeout().toMillis()) {
            throw ApiProblem.invalid("timeoutMs", "timeoutMs must be between 0 and " + s.settings().maxRemovalTimeout().toMillis());
        }
        return Duration.ofMillis(ms);
    }

    // ---- resize ----------------------------------------------------------------------------

    public ApiResponse resize(Call call, String ref) {
        ResizeRequest req = call.body(ResizeRequest.class);
        InstanceRecord found = s.registry().read(c -> {
            InstanceRecord i = InstanceLookup.resolve(c, ref);
            s.authorization().require(c, i, call.caller(), Operation.RESIZE);
            return i;
        });
        if (req.cpus() == null && req.memoryBytes() == null) {
            throw ApiProblem.invalid("cpus", "give cpus, memoryBytes or both");
        }
        if (req.cpus() != null && (req.cpus() < 1 || req.cpus() > found.launch().maxCpus())) {
            throw ApiProblem.invalid("cpus", "cpus must be between 1 and the instance's maxCpus (" + found.launch().maxCpus() + "), got " + req.cpus(),
                    "the headroom is set at create with maxCpus");
        }
        if (req.memoryBytes() != null) {
            long mem = req.memoryBytes();
            long max = found.launch().maxMemoryBytes();
            if (mem < 128L << 20 || mem > max) {
                throw ApiProblem.invalid("memoryBytes", "memoryBytes must be between 128 MiB and the instance's maxMemoryBytes (" + max + "), got " + mem,
                        "the headroom is set at create with maxMemoryBytes");
            }
            if (mem % (1L << 20) != 0) throw ApiProblem.invalid("memoryBytes", "memoryBytes must be a whole number of MiB");
        }
        try (InstanceLocks.Held ignored = s.locks().acquire(found.id())) {
            InstanceRecord inst = s.registry().read(c -> InstanceLookup.resolve(c, found.id()));
            boolean live = Views.live(inst.state());
            if (!live && inst.state() != InstanceState.STOPPED) {
                throw ApiProblem.wrongState("instance " + inst.name() + " is " + inst.state().wireName(), "wait until it is running or stopped");
            }
            int cpus = req.cpus() == null ? inst.launch().cpus() : req.cpus();
            long mem = req.memoryBytes() == null ? inst.launch().memoryBytes() : req.memoryBytes();
            if (live) {
                if (req.memoryBytes() != null && req.memoryBytes() < inst.launch().memoryBytes()) {
                    throw ApiProblem.invalid("memoryBytes", "memory of a running instance can only grow (hot-unplug of memory is not supported), from "
                            + inst.launch().memoryBytes());
                }
                RunningVm vm = connection(inst);
                try {
                    vm.resize(req.cpus(), req.memoryBytes());
                } catch (HypervisorException e) {
                    ApiProblem problem = HypervisorProblems.of("resizing", e);
                    if (HypervisorProblems.ambiguous(e)) throw problem;
                    ApiResponse answer = ApiResponse.error(problem);
                    return call.commit(c -> {
                        AuditTrail.failed(c, call.caller(), inst.id(), "resize", null, call.requestId(), answer.status(), problem.getMessage());
                        return answer;
                    });
                }
            }
            InstanceRecord resized = inst.withLaunch(inst.launch().withSize(cpus, mem));
            return call.commit(c -> {
                InstanceStore.update(c, resized);
                AuditTrail.ok(c, call.caller(), inst.id(), "resize", null, call.requestId(), 200,
                        "cpus " + cpus + ", memory " + mem + (live ? "" : " (recorded; applies at next start)"));
                return ApiResponse.json(200, Views.instance(resized, ResourceStore.live(c, inst.id()), java.util.Map.of(), false));
            });
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private RunningVm connection(InstanceRecord inst) {
        return s.vms().get(inst.id()).orElseThrow(() -> new ApiProblem(ErrorCode.HYPERVISOR_UNAVAILABLE,
                "instance " + inst.name() + " is recorded as " + inst.state().wireName() + " but the service has no connection to its hypervisor",
                null, "the service reconnects on its own; try again shortly", null, null));
    }

    private static OpenRequestStore.OpenRequest openRequest(Call call, InstanceRecord inst, String operation, boolean single) {
        return new OpenRequestStore.OpenRequest(call.requestId(), inst.id(), operation, call.request().method(), call.request().target(),
                call.verified().bodySha256(), call.verified().expires().getEpochSecond(), call.caller(), single);
    }

    private static void undoAll(List<Prepared> prepared) {
        for (int i = prepared.size() - 1; i >= 0; i--) {
            try {
                prepared.get(i).undo().run();
            } catch (RuntimeException e) {
                LOG.warn("undoing a preparation failed: {}", e.getMessage());
            }
        }
    }

    private static ApiProblem prefixed(ApiProblem p, String prefix) {
        if (prefix.isEmpty() || p.field() == null) return p;
        return new ApiProblem(p.code(), p.getMessage(), prefix + p.field(), p.hint(), p.hypervisorChain(), p);
    }

    private static List<String> ids(List<ResourceRecord> rows) {
        return rows.stream().map(ResourceRecord::id).toList();
    }

}
