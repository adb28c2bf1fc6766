package dev.form.vmm.instances;

import dev.form.core.api.AdoptInstanceRequest;
import dev.form.core.api.AuditEntry;
import dev.form.core.api.CreateInstanceRequest;
import dev.form.core.api.ErrorCode;
import dev.form.core.api.GrantRequest;
import dev.form.core.api.GrantView;
import dev.form.core.api.InstanceSummary;
import dev.form.core.api.InstanceView;
import dev.form.core.auth.Operation;
import dev.form.core.model.AccessLevel;
import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.InstanceState;
import dev.form.core.model.ResourceKind;
import dev.form.core.model.ResourceState;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.VmRunState;
import dev.form.hypervisor.VmSnapshot;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.audit.AuditTrail;
import dev.form.vmm.pipeline.ApiResponse;
import dev.form.vmm.pipeline.Call;
import dev.form.vmm.registry.AuditStore;
import dev.form.vmm.registry.GrantStore;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.registry.LaunchConfig;
import dev.form.vmm.registry.ResourceRecord;
import dev.form.vmm.registry.ResourceSpec;
import dev.form.vmm.registry.ResourceStore;
import dev.form.vmm.resources.HostResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Instance lifecycle and reads: create, start, stop, delete, adopt, list, show, console, audit, grants. */
public final class InstanceOperations {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceOperations.class);
    /** Names start with a letter and never contain '_', so they cannot look like an id ("i_" + hex). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,62}");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long MIB = 1L << 20;
    private static final int CONSOLE_CHUNK = 64 * 1024;

    private final ServiceState s;
    private final InstanceLauncher launcher;

    public InstanceOperations(ServiceState state, InstanceLauncher launcher) {
        this.s = state;
        this.launcher = launcher;
    }

    public static String newInstanceId() {
        byte[] b = new byte[10];
        RANDOM.nextBytes(b);
        return "i_" + HexFormat.of().formatHex(b);
    }

    // ---- create ------------------------------------------------------------------------------

    public ApiResponse create(Call call) {
        s.authorization().requireAdmin(call.caller(), "create instances");
        CreateInstanceRequest req = call.body(CreateInstanceRequest.class);
        requireName(req.name());
        if (req.kernel() == null || req.kernel().isBlank()) throw ApiProblem.invalid("kernel", "kernel is required: the path of a kernel image on the host");
        int cpus = req.cpus() == null ? 1 : req.cpus();
        if (cpus < 1 || cpus > 254) throw ApiProblem.invalid("cpus", "cpus must be between 1 and 254, got " + cpus);
        int maxCpus = req.maxCpus() == null ? cpus : req.maxCpus();
        if (maxCpus < cpus || maxCpus > 254) throw ApiProblem.invalid("maxCpus", "maxCpus must be between cpus (" + cpus + ") and 254, got " + maxCpus);
        long mem = req.memoryBytes() == null ? 512 * MIB : req.memoryBytes();
        if (mem < 128 * MIB || mem % MIB != 0) throw ApiProblem.invalid("memoryBytes", "memoryBytes must be a whole number of MiB, at least 128 MiB, got " + mem);
        long maxMem = req.maxMemoryBytes() == null ? mem : req.maxMemoryBytes();
        if (maxMem < mem || maxMem % MIB != 0) {
            throw ApiProblem.invalid("maxMemoryBytes", "maxMemoryBytes must be a whole number of MiB and at least memoryBytes (" + mem + "), got " + maxMem);
        }
        if (req.cmdline() != null && (req.cmdline().length() > 4096 || req.cmdline().chars().anyMatch(ch -> ch < 0x20))) {
            throw ApiProblem.invalid("cmdline", "cmdline must be at most 4096 printable characters");
        }
        boolean shared = req.sharedMemory() == null || req.sharedMemory();
        String kernel = s.host().bootFile("kernel", req.kernel()).toString();
        String initramfs = req.initramfs() == null ? null : s.host().bootFile("initramfs", req.initramfs()).toString();
        String id = newInstanceId();
        List<ResourceRecord> live = s.registry().read(ResourceStore::allLive);
        List<HostResources.BootDisk> otherBoot = allBootDisks();
        List<DiskSpec> bootDisks = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        List<String> disks = req.disks() == null ? List.of() : req.disks();
        for (int i = 0; i < disks.size(); i++) {
            String diskId = s.host().resourceId(ResourceKind.DISK, "disks[" + i + "]", null, taken);
            taken.add(diskId);
            HostResources.BootDisk d = s.host().bootDisk(id, "disks[" + i + "]", diskId, disks.get(i), live, otherBoot);
            if (bootDisks.stream().anyMatch(b -> b.path().equals(d.disk().path()))) {
                throw ApiProblem.conflict("disks[" + i + "]", d.disk().path() + " is listed twice");
            }
            bootDisks.add(d.disk());
        }
        LaunchConfig launch = new LaunchConfig(kernel, initramfs, req.cmdline() == null ? "console=ttyS0" : req.cmdline(),
                cpus, maxCpus, mem, maxMem, shared, bootDisks);
        InstanceRecord record = new InstanceRecord(id, req.name(), call.caller(), InstanceState.CREATING, s.hypervisors().preferred(),
                launch, null, req.autostart() != null && req.autostart(), false, Instant.now());
        s.registry().write(c -> {
            if (InstanceStore.byName(c, req.name()).isPresent()) {
                throw ApiProblem.conflict("name", "an instance named '" + req.name() + "' already exists on this host");
            }
            InstanceStore.insert(c, record);
            return null;
        });
        try (InstanceLocks.Held ignored = s.locks().acquire(id)) {
            InstanceLauncher.Launched launched;
            try {
                launched = launcher.launch(record);
            } catch (HypervisorException e) {
                ApiProblem problem = HypervisorProblems.of("launching instance " + req.name(), e);
                ApiResponse answer = ApiResponse.error(problem);
                return call.commit(c -> {
                    InstanceStore.delete(c, id);
                    AuditTrail.failed(c, call.caller(), id, "create", null, call.requestId(), answer.status(), problem.getMessage());
                    return answer;
                });
            } catch (RuntimeException e) {
                s.registry().write(c -> {
                    InstanceStore.delete(c, id);
                    return null;
                });
                throw e;
            }
            s.vms().put(id, launched.vm());
            InstanceRecord running = record.withState(InstanceState.RUNNING).withEndpoint(launched.vm().endpoint());
            return call.commit(c -> {
                InstanceStore.update(c, running);
                AuditTrail.ok(c, call.caller(), id, "create", null, call.requestId(), 201, "created and booted " + req.name()
                        + " on " + running.hypervisor().wireName());
                return ApiResponse.json(201, Views.instance(running, List.of(), Map.of(), true));
            });
        }
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) throw ApiProblem.invalid("name", "name is required");
        if (!NAME.matcher(name).matches()) {
            throw ApiProblem.invalid("name", "name must start with a letter and contain only letters, digits and '-' (at most 63), got '" + name + "'");
        }
    }

    private List<HostResources.BootDisk> allBootDisks() {
        return s.registry().read(c -> {
            List<HostResources.BootDisk> out = new ArrayList<>();
            for (InstanceRecord i : InstanceStore.all(c)) for (DiskSpec d : i.launch().bootDisks()) out.add(new HostResources.BootDisk(i.id(), d, null));
            return out;
        });
    }

    // ---- start / stop -------------------------------------------------------------------------

    public ApiResponse start(Call call, String ref) {
        InstanceRecord found = authorized(call, ref, Operation.START);
        try (InstanceLocks.Held ignored = s.locks().acquire(found.id())) {
            InstanceRecord inst = reload(found.id());
            if (inst.state() != InstanceState.STOPPED && inst.state() != InstanceState.FAILED) {
                throw ApiProblem.wrongState("instance " + inst.name() + " is " + inst.state().wireName() + "; only a stopped instance can be started", null);
            }
            if (inst.launch().kernel() == null) {
                throw ApiProblem.wrongState("instance " + inst.name() + " was adopted: form does not know how to launch it again",
                        "start it the way it was started before adoption, then adopt it again");
            }
            try {
                startRecorded(inst, call.caller(), call.requestId());
            } catch (HypervisorException e) {
                ApiProblem problem = HypervisorProblems.of("starting instance " + inst.name(), e);
                ApiResponse answer = ApiResponse.error(problem);
                return call.commit(c -> {
                    AuditTrail.failed(c, call.caller(), inst.id(), "start", null, call.requestId(), answer.status(), problem.getMessage());
                    return answer;
                });
            }
            return call.commit(c -> ApiResponse.json(200, view(c, reloadIn(c, inst.id()), true)));
        }
    }

    /**
     * Launches a stopped instance with everything recorded for it and records it running. Used by start
     * and by autostart; the caller holds the instance lock.
     */
    public void startRecorded(InstanceRecord inst, String caller, String requestId) throws HypervisorException {
        // removals the guest never finished are done: the old process is gone
        s.registry().write(c -> {
            for (ResourceRecord r : ResourceStore.live(c, inst.id())) {
                if (r.state() == ResourceState.PENDING_REMOVAL || r.state() == ResourceState.ATTACHING) {
                    ResourceStore.updateState(c, r.seq(), ResourceState.REMOVED, null, null);
                    AuditTrail.service(c, inst.id(), r.state() == ResourceState.ATTACHING ? "add" : "remove", r.id(), r.intentId(),
                            "settled at start: the previous hypervisor process is gone");
                }
            }
            return null;
        });
        InstanceLauncher.Launched launched = launcher.launch(inst);
        VmSnapshot snap = null;
        try {
            snap = launched.vm().snapshot();
        } catch (HypervisorException e) {
            LOG.warn("cannot read the devices of {} after start: {}", inst.id(), e.getMessage());
        }
        s.vms().put(inst.id(), launched.vm());
        InstanceRecord running = inst.withState(InstanceState.RUNNING).withEndpoint(launched.vm().endpoint());
        VmSnapshot finalSnap = snap;
        s.registry().write(c -> {
            InstanceStore.update(c, running);
            for (ResourceRecord r : launched.resources()) {
                String pci = finalSnap == null ? null : finalSnap.devices().get(r.id());
                ResourceStore.updateState(c, r.seq(), ResourceState.ATTACHED, pci, null);
            }
            AuditTrail.ok(c, caller, inst.id(), "start", null, requestId, 200, "launched with " + launched.resources().size() + " recorded resources");
            return null;
        });
    }

    public ApiResponse stop(Call call, String ref) {
        InstanceRecord found = authorized(call, ref, Operation.STOP);
        Duration timeout = s.settings().stopTimeout();
        String t = call.query("timeoutMs");
        if (t != null) {
            try {
                timeout = Duration.ofMillis(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw ApiProblem.invalid("timeoutMs", "timeoutMs must be a whole number of milliseconds");
            }
            if (timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(10)) > 0) throw ApiProblem.invalid("timeoutMs", "timeoutMs must be between 0 and 600000");
        }
        try (InstanceLocks.Held ignored = s.locks().acquire(found.id())) {
            InstanceRecord inst = reload(found.id());
            if (!Views.live(inst.state())) {
                throw ApiProblem.wrongState("instance " + inst.name() + " is " + inst.state().wireName() + "; only a running or paused instance can be stopped", null);
            }
            String how = powerOff(inst, timeout);
            releaseHostSide(inst);
            return call.commit(c -> {
                InstanceRecord stopped = markStopped(c, inst);
                AuditTrail.ok(c, call.caller(), inst.id(), "stop", null, call.requestId(), 200, how);
                return ApiResponse.json(200, view(c, stopped, true));
            });
        }
    }

    /** Power button, a bounded wait, then a hard stop. Returns how it ended. */
    private String powerOff(InstanceRecord inst, Duration timeout) {
        RunningVm vm = s.vms().get(inst.id()).orElse(null);
        if (vm == null) return "no hypervisor process was connected";
        try {
            vm.powerButton();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!vm.alive()) return "the guest powered off";
                try {
                    VmRunState state = vm.snapshot().state();
                    if (state == VmRunState.SHUTDOWN) break;
                } catch (HypervisorException e) {
                    if (!vm.alive()) return "the guest powered off";
                }
                Thread.sleep(50);
            }
        } catch (HypervisorException e) {
            LOG.info("power button on {} failed ({}); terminating", inst.id(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (vm.alive()) vm.terminate();
            return "terminated after the power button";
        } catch (HypervisorException e) {
            if (!vm.alive()) return "the guest powered off";
            throw HypervisorProblems.of("stopping instance " + inst.name(), e);
        }
    }

    /**
     * Releases the host side of every resource of an instance whose process is gone (stops its virtiofsd
     * daemons); call before {@link #markStopped}, outside any transaction, since stopping a daemon waits.
     */
    public void releaseHostSide(InstanceRecord inst) {
        s.vms().drop(inst.id());
        for (ResourceRecord r : s.registry().read(c -> ResourceStore.live(c, inst.id()))) {
            try {
                s.host().release(inst.id(), r.spec());
            } catch (RuntimeException e) {
                LOG.warn("releasing {} of {} failed: {}", r.id(), inst.id(), e.getMessage());
            }
        }
    }

    /** Records an instance stopped and settles what its process held; runs in the caller's transaction. */
    public InstanceRecord markStopped(Connection c, InstanceRecord inst) throws SQLException {
        s.vms().drop(inst.id());
        InstanceRecord stopped = inst.withState(InstanceState.STOPPED).withEndpoint(null);
        InstanceStore.update(c, stopped);
        for (ResourceRecord r : ResourceStore.live(c, inst.id())) {
            if (r.state() == ResourceState.PENDING_REMOVAL || r.state() == ResourceState.ATTACHING) {
                ResourceStore.updateState(c, r.seq(), ResourceState.REMOVED, null, null);
                AuditTrail.service(c, inst.id(), "remove", r.id(), r.intentId(), "finished: the VM's process is gone");
            }
        }
        return stopped;
    }

    // ---- delete --------------------------------------------------------------------------------

    public ApiResponse delete(Call call, String ref) {
        boolean purge = "true".equalsIgnoreCase(call.query("purge"));
        InstanceRecord found = authorized(call, ref, Operation.DELETE);
        try (InstanceLocks.Held ignored = s.locks().acquire(found.id())) {
            InstanceRecord inst = reload(found.id());
            if (Views.live(inst.state()) && !inst.adopted()) {
                RunningVm vm = s.vms().get(inst.id()).orElse(null);
                if (vm != null) {
                    try {
                        vm.terminate();
                    } catch (HypervisorException e) {
                        if (vm.alive()) throw HypervisorProblems.of("stopping instance " + inst.name() + " before deleting it", e);
                    }
                }
            }
            s.vms().drop(inst.id());
            List<ResourceRecord> resources = s.registry().read(c -> ResourceStore.history(c, inst.id()));
            for (ResourceRecord r : resources) {
                try {
                    if (r.state() != ResourceState.REMOVED) s.host().release(inst.id(), r.spec());
                    if (purge) s.host().purge(inst.id(), r.spec());
                } catch (RuntimeException e) {
                    LOG.warn("releasing {} of {} failed: {}", r.id(), inst.id(), e.getMessage());
                }
            }
            return call.commit(c -> {
                InstanceView before = view(c, inst, true);
                ResourceStore.deleteAllOf(c, inst.id());
                GrantStore.removeAllOf(c, inst.id());
                InstanceStore.delete(c, inst.id());
                AuditTrail.ok(c, call.caller(), inst.id(), "delete", null, call.requestId(), 200,
                        purge ? "deleted; images created for it purged" : "deleted; volumes kept");
                return ApiResponse.json(200, new InstanceView(before.id(), before.name(), "deleted", before.owner(), before.hypervisor(),
                        before.cpus(), before.maxCpus(), before.memoryBytes(), before.maxMemoryBytes(), before.sharedMemory(),
                        before.autostart(), before.createdAt(), before.resources(), before.grants()));
            });
        }
    }

    // ---- adopt ---------------------------------------------------------------------------------

    public ApiResponse adopt(Call call) {
        s.authorization().requireAdmin(call.caller(), "adopt instances");
        AdoptInstanceRequest req = call.body(AdoptInstanceRequest.class);
        requireName(req.name());
        if (req.apiSocket() == null || req.apiSocket().isBlank()) throw ApiProblem.invalid("apiSocket", "apiSocket is required: the VM's Cloud Hypervisor API socket");
        Path socket = s.host().adoptSocket("apiSocket", req.apiSocket());
        boolean known = s.registry().read(c -> InstanceStore.all(c).stream()
                .anyMatch(i -> i.endpoint() != null && socket.equals(i.endpoint().controlSocket())));
        if (known) throw ApiProblem.conflict("apiSocket", "the VM behind " + socket + " is already managed by this service");
        RunningVm vm;
        VmSnapshot snap;
        try {
            vm = s.hypervisors().of(HypervisorKind.CLOUD_HYPERVISOR).reattach(new VmEndpoint(HypervisorKind.CLOUD_HYPERVISOR, socket, 0, null));
            snap = vm.snapshot();
        } catch (HypervisorException e) {
            if (e.kind() == HypervisorException.Kind.UNAVAILABLE) {
                throw ApiProblem.invalid("apiSocket", "no Cloud Hypervisor answers on " + socket + ": " + e.getMessage());
            }
            throw HypervisorProblems.of("adopting the VM behind " + socket, e);
        }
        if (snap.state() != VmRunState.RUNNING && snap.state() != VmRunState.PAUSED) {
            vm.close();
            throw ApiProblem.wrongState("the VM behind " + socket + " is " + snap.state().name().toLowerCase(java.util.Locale.ROOT)
                    + "; only a running or paused VM can be adopted", "boot it first");
        }
        String id = newInstanceId();
        LaunchConfig launch = new LaunchConfig(null, null, null, snap.vcpus(), snap.vcpus(), snap.memoryBytes(), snap.memoryBytes(), false, List.of());
        InstanceRecord record = new InstanceRecord(id, req.name(), call.caller(),
                snap.state() == VmRunState.PAUSED ? InstanceState.PAUSED : InstanceState.RUNNING,
                HypervisorKind.CLOUD_HYPERVISOR, launch, vm.endpoint(), false, true, Instant.now());
        try {
            ApiResponse response = call.commit(c -> {
                if (InstanceStore.byName(c, req.name()).isPresent()) {
                    throw ApiProblem.conflict("name", "an instance named '" + req.name() + "' already exists on this host");
                }
                InstanceStore.insert(c, record);
                List<ResourceRecord> rows = new ArrayList<>();
                for (var d : snap.devices().entrySet()) {
                    ResourceSpec spec = adoptedSpec(d.getKey());
                    if (spec == null) continue;
                    rows.add(ResourceStore.insert(c, new ResourceRecord(0, id, d.getKey(), ResourceState.ATTACHED, spec, d.getValue(),
                            call.requestId(), call.caller(), Instant.now())));
                }
                AuditTrail.ok(c, call.caller(), id, "adopt", null, call.requestId(), 201, "adopted the VM behind " + socket
                        + " with " + rows.size() + " devices");
                return ApiResponse.json(201, Views.instance(record, rows, Map.of(), true));
            });
            s.vms().put(id, vm);
            return response;
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /** Recognises the devices Cloud Hypervisor names itself (_disk0, _fs1, _vfio2); others are not form's business. */
    private static ResourceSpec adoptedSpec(String id) {
        String l = id.toLowerCase(java.util.Locale.ROOT);
        if (l.contains("disk")) return new ResourceSpec(new DiskSpec(id, null, null, false, false, false, null, null, null, null, null),
                null, null, false, null, null, List.of(), null, false, true);
        if (l.contains("fs")) return new ResourceSpec(null, new FsSpec(id, null, null, null, null), null, false, null, null, List.of(),
                null, false, true);
        if (l.contains("vfio") || l.contains("device")) return new ResourceSpec(null, null, new DeviceSpec(id, null, null, false),
                false, null, null, List.of(), null, false, true);
        return null;
    }

    // ---- reads -----------------------------------------------------------------------------

    public ApiResponse list(Call call) {
        return ApiResponse.json(200, s.registry().read(c -> {
            Map<String, AccessLevel> granted = GrantStore.heldBy(c, call.caller());
            List<InstanceSummary> out = new ArrayList<>();
            for (InstanceRecord i : InstanceStore.all(c)) {
                if (i.owner().equalsIgnoreCase(call.caller()) || granted.containsKey(i.id())) {
                    out.add(Views.summary(i, ResourceStore.countLive(c, i.id())));
                }
            }
            return out;
        }));
    }

    public ApiResponse show(Call call, String ref) {
        return ApiResponse.json(200, s.registry().read(c -> {
            InstanceRecord i = InstanceLookup.resolve(c, ref);
            s.authorization().require(c, i, call.caller(), Operation.VIEW);
            return view(c, i, true);
        }));
    }

    public ApiResponse console(Call call, String ref) {
        long offset = 0;
        String o = call.query("offset");
        if (o != null) {
            try {
                offset = Long.parseLong(o);
            } catch (NumberFormatException e) {
                throw ApiProblem.invalid("offset", "offset must be a whole number of bytes, not '" + o + "'");
            }
            if (offset < 0) throw ApiProblem.invalid("offset", "offset must not be negative");
        }
        InstanceRecord i = s.registry().read(c -> {
            InstanceRecord inst = InstanceLookup.resolve(c, ref);
            s.authorization().require(c, inst, call.caller(), Operation.VIEW);
            return inst;
        });
        Path log = i.endpoint() != null && i.endpoint().consoleLog() != null ? i.endpoint().consoleLog() : s.host().consoleLog(i.id());
        if (!Files.isRegularFile(log)) return ApiResponse.text(200, "");
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            if (offset >= len) return ApiResponse.text(200, "");
            f.seek(offset);
            byte[] buf = new byte[(int) Math.min(CONSOLE_CHUNK, len - offset)];
            f.readFully(buf);
            return new ApiResponse(200, ApiResponse.TEXT, buf);
        } catch (IOException e) {
            throw new ApiProblem(ErrorCode.INTERNAL, "cannot read the console log of " + i.name() + ": " + e.getMessage());
        }
    }

    public ApiResponse audit(Call call, String ref) {
        int limit = 1000;
        String l = call.query("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                throw ApiProblem.invalid("limit", "limit must be a whole number");
            }
            if (limit < 1 || limit > 10000) throw ApiProblem.invalid("limit", "limit must be between 1 and 10000");
        }
        int max = limit;
        List<AuditEntry> entries = s.registry().read(c -> {
            InstanceRecord inst = InstanceLookup.resolve(c, ref);
            s.authorization().require(c, inst, call.caller(), Operation.VIEW);
            return AuditStore.of(c, inst.id(), max);
        });
        return ApiResponse.json(200, entries);
    }

    // ---- grants --------------------------------------------------------------------------------

    public ApiResponse grant(Call call, String ref, String address) {
        requireAddress(address);
        GrantRequest req = call.body(GrantRequest.class);
        if (req.level() == null) throw ApiProblem.invalid("level", "level is required: readonly, operator, manager or owner");
        AccessLevel level;
        try {
            level = AccessLevel.fromWire(req.level());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalid("level", e.getMessage());
        }
        InstanceRecord inst = authorized(call, ref, Operation.GRANT);
        if (inst.owner().equalsIgnoreCase(address)) throw ApiProblem.conflict("address", address + " owns instance " + inst.name() + " already");
        return call.commit(c -> {
            GrantStore.put(c, inst.id(), address, level, call.caller());
            AuditTrail.ok(c, call.caller(), inst.id(), "grant", null, call.requestId(), 200, level.wireName() + " to " + address);
            return ApiResponse.json(200, new GrantView(address.toLowerCase(java.util.Locale.ROOT), level.wireName()));
        });
    }

    public ApiResponse revoke(Call call, String ref, String address) {
        requireAddress(address);
        InstanceRecord inst = authorized(call, ref, Operation.GRANT);
        return call.commit(c -> {
            AccessLevel had = GrantStore.levelOf(c, inst.id(), address)
                    .orElseThrow(() -> ApiProblem.notFound(address + " holds no grant on instance " + inst.name()));
            GrantStore.remove(c, inst.id(), address);
            AuditTrail.ok(c, call.caller(), inst.id(), "revoke", null, call.requestId(), 200, had.wireName() + " from " + address);
            return ApiResponse.json(200, new GrantView(address.toLowerCase(java.util.Locale.ROOT), had.wireName()));
        });
    }

    private static void requireAddress(String address) {
        if (address == null || !ADDRESS.matcher(address).matches()) {
            throw ApiProblem.invalid("address", "address must be 0x followed by 40 hex digits, got '" + address + "'");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private InstanceRecord authorized(Call call, String ref, Operation op) {
        return s.registry().read(c -> {
            InstanceRecord i = InstanceLookup.resolve(c, ref);
            s.authorization().require(c, i, call.caller(), op);
            return i;
        });
    }

    private InstanceRecord reload(String id) {
        return s.registry().read(c -> reloadIn(c, id));
    }

    private static InstanceRecord reloadIn(Connection c, String id) throws SQLException {
        return InstanceStore.byId(c, id).orElseThrow(() -> ApiProblem.notFound("instance " + id + " was deleted meanwhile"));
    }

    private static InstanceView view(Connection c, InstanceRecord i, boolean showGrants) throws SQLException {
        return Views.instance(i, ResourceStore.live(c, i.id()), GrantStore.of(c, i.id()), showGrants);
    }
}
