package dev.form.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.hypervisor.AttachedDevice;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.VmRunState;
import dev.form.hypervisor.VmSnapshot;
import dev.form.hypervisor.qemu.QemuInventory.Orphan;
import dev.form.hypervisor.qemu.qmp.QmpClient;
import dev.form.hypervisor.qemu.qmp.QmpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One running QEMU VM driven over QMP. Everything it decides (free slots, what backs a device,
 * whether memory is shared) it asks QEMU first, so a new instance attached to an old process
 * knows as much as the one that launched it.
 */
public final class QemuVm implements RunningVm {

    private static final Logger log = LoggerFactory.getLogger(QemuVm.class);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Duration POLL = Duration.ofMillis(200);

    private final QmpClient qmp;
    private final VmEndpoint endpoint;
    private final QemuSettings settings;
    /** The event sequence number at each device_del: a DEVICE_DELETED before it is from an earlier plug. */
    private final Map<String, Long> removalAskedAt = new HashMap<>();
    /** The last query-pci answer, dropped by any command of ours that may change the tree; see {@link #plug}. */
    private volatile RecentPci recentPci;

    private record RecentPci(PciTopology pci, long readAt) {
    }

    private static final long RECENT_PCI_NANOS = Duration.ofSeconds(2).toNanos();

    QemuVm(QmpClient qmp, VmEndpoint endpoint, QemuSettings settings) {
        this.qmp = qmp;
        this.endpoint = endpoint;
        this.settings = settings;
    }

    /** The QMP connection, for callers that need a command this class does not wrap. */
    public QmpClient qmp() {
        return qmp;
    }

    @Override
    public VmEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public boolean alive() {
        if (endpoint.pid() > 0 && !ProcessHandle.of(endpoint.pid()).map(ProcessHandle::isAlive).orElse(false)) return false;
        try {
            qmp.execute("query-status", null, Duration.ofSeconds(2));
            return true;
        } catch (HypervisorException e) {
            return false;
        }
    }

    @Override
    public VmSnapshot snapshot() throws HypervisorException {
        VmRunState state = runState(call("query-status", null).path("status").asText());
        int vcpus = call("query-cpus-fast", null).size();
        JsonNode mem = call("query-memory-size-summary", null);
        long memory = mem.path("base-memory").asLong() + mem.path("plugged-memory").asLong(0);
        Map<String, String> devices = new LinkedHashMap<>();
        pci().devices().forEach((id, d) -> devices.put(id, d.address()));
        return new VmSnapshot(state, vcpus, memory, devices);
    }

    /** One query-pci instead of the four round trips of a snapshot: an add asks this under the VM's lock. */
    @Override
    public Set<String> deviceIds() throws HypervisorException {
        return Set.copyOf(pci().devices().keySet());
    }

    static VmRunState runState(String qemuStatus) {
        return switch (qemuStatus) {
            case "running" -> VmRunState.RUNNING;
            case "prelaunch" -> VmRunState.CREATED;
            case "shutdown" -> VmRunState.SHUTDOWN;
            default -> VmRunState.PAUSED;
        };
    }

    /** The PCI tree now. */
    public PciTopology pci() throws HypervisorException {
        PciTopology pci = PciTopology.parse(call("query-pci", null));
        recentPci = new RecentPci(pci, System.nanoTime());
        return pci;
    }

    /**
     * The tree as last read, if that was a moment ago and none of our commands has changed it since
     * (an add asks {@link #deviceIds} just before it plugs). Only the guest can have changed it in
     * between, and only by finishing an unplug: a device gone, a slot freed. A decision that such a
     * change could overturn (id taken, no free slot) is therefore taken on a fresh read, never on this.
     */
    private PciTopology recentPci() throws HypervisorException {
        RecentPci r = recentPci;
        return r != null && System.nanoTime() - r.readAt() < RECENT_PCI_NANOS ? r.pci() : pci();
    }

    /** What QEMU holds for this VM, including backing objects left without their device. */
    public QemuInventory inventory() throws HypervisorException {
        PciTopology pci = pci();
        List<String> nodes = new ArrayList<>();
        for (JsonNode n : call("query-named-block-nodes", obj().put("flat", true))) {
            String name = n.path("node-name").asText("");
            if (!name.isEmpty() && !nodes.contains(name)) nodes.add(name);
        }
        List<String> inUse = new ArrayList<>();
        for (JsonNode b : call("query-block", null)) {
            String root = b.path("inserted").path("node-name").asText("");
            if (!root.isEmpty() && !b.path("qdev").asText("").isEmpty()) inUse.add(root);
        }
        List<String> chardevs = new ArrayList<>();
        for (JsonNode c : call("query-chardev", null)) chardevs.add(c.path("label").asText());
        List<String> groups = new ArrayList<>();
        for (JsonNode o : call("qom-list", obj().put("path", "/objects"))) {
            if ("child<throttle-group>".equals(o.path("type").asText())) groups.add(o.path("name").asText());
        }
        Set<String> deviceIds = new HashSet<>(pci.devices().keySet());
        List<Orphan> orphans = OrphanFinder.find(deviceIds, nodes, Set.copyOf(inUse), chardevs, groups);
        Map<String, String> devices = new LinkedHashMap<>();
        pci.devices().forEach((id, d) -> devices.put(id, d.address()));
        List<String> free = pci.ports().stream().filter(PciTopology.Port::free).map(PciTopology.Port::id).toList();
        return new QemuInventory(devices, free, nodes, inUse, chardevs, groups, orphans);
    }

    @Override
    public List<String> orphanedBackends() throws HypervisorException {
        return inventory().orphans().stream().map(Orphan::describe).toList();
    }

    @Override
    public List<String> releaseOrphanedBackends() throws HypervisorException {
        List<String> released = new ArrayList<>();
        for (Orphan o : inventory().orphans()) {
            release(o);
            released.add(o.describe());
        }
        return released;
    }

    private void release(Orphan o) throws HypervisorException {
        release(o, true);
    }

    private void release(Orphan o, boolean orphaned) throws HypervisorException {
        switch (o.type()) {
            case BLOCK_NODE -> call("blockdev-del", obj().put("node-name", o.name()));
            case THROTTLE_GROUP -> call("object-del", obj().put("id", o.name()));
            case CHARDEV -> call("chardev-remove", obj().put("id", o.name()));
        }
        if (orphaned) log.info("released orphaned {}", o.describe());
        else log.debug("released {}", o.describe());
    }

    /**
     * Releases the backing objects named for one device id that no device uses: what a crash left
     * (before a plug of that id) or what a finished unplug left (after it).
     */
    private List<Orphan> releaseOrphansOf(String deviceId, boolean orphaned) throws HypervisorException {
        BackingNames n = BackingNames.of(deviceId);
        Set<String> mine = Set.of(n.formatNode(), n.throttleNode(), n.throttleGroup(), n.chardev());
        List<Orphan> orphans = inventory().orphans().stream().filter(o -> mine.contains(o.name())).toList();
        // Block nodes first: a throttle group cannot go while a filter still uses it.
        for (Orphan o : orphans) if (o.type() == Orphan.Type.BLOCK_NODE) release(o, orphaned);
        for (Orphan o : orphans) if (o.type() != Orphan.Type.BLOCK_NODE) release(o, orphaned);
        return orphans;
    }

    @Override
    public AttachedDevice addDisk(DiskSpec disk) throws HypervisorException {
        QmpArguments.checkSupported(disk);
        return plug(disk.id(), port -> plugDisk(disk, port));
    }

    private void plugDisk(DiskSpec disk, String port) throws HypervisorException {
        BackingNames n = BackingNames.of(disk.id());
        boolean throttled = QmpArguments.throttled(disk);
        if (throttled) call("object-add", QmpArguments.throttleGroup(disk));
        try {
            call("blockdev-add", QmpArguments.blockdev(disk));
        } catch (HypervisorException e) {
            if (throttled) undo("object-del", obj().put("id", n.throttleGroup()));
            throw e;
        }
        try {
            call("device_add", QmpArguments.diskDevice(disk, port));
        } catch (HypervisorException e) {
            undo("blockdev-del", obj().put("node-name", n.blockRoot(throttled)));
            if (throttled) undo("object-del", obj().put("id", n.throttleGroup()));
            throw e;
        }
    }

    @Override
    public AttachedDevice addFs(FsSpec fs) throws HypervisorException {
        QmpArguments.checkSupported(fs);
        if (!memoryShared())
            throw new HypervisorException(Kind.REFUSED, "cannot add virtio-fs share " + fs.id()
                    + ": the VM's memory is not shared (vhost-user needs memfd memory with share=on), and that can only be chosen"
                    + " when the VM is launched; relaunch it with shared memory");
        if (!Files.exists(Path.of(fs.socketPath())))
            throw new HypervisorException(Kind.REFUSED, "cannot add virtio-fs share " + fs.id() + ": no virtiofsd socket at " + fs.socketPath());
        return plug(fs.id(), port -> plugFs(fs, port));
    }

    private void plugFs(FsSpec fs, String port) throws HypervisorException {
        BackingNames n = BackingNames.of(fs.id());
        call("chardev-add", QmpArguments.fsChardev(fs));
        try {
            call("device_add", QmpArguments.fsDevice(fs, port));
        } catch (HypervisorException e) {
            undo("chardev-remove", obj().put("id", n.chardev()));
            throw e;
        }
    }

    @Override
    public AttachedDevice addDevice(DeviceSpec device) throws HypervisorException {
        QmpArguments.checkSupported(device);
        return plug(device.id(), port -> call("device_add", QmpArguments.vfioDevice(device, port)));
    }

    /** The QMP commands of one hot-add, given the root port the device goes under. */
    private interface PlugSteps {
        void run(String port) throws HypervisorException;
    }

    /**
     * Checks the id is new, picks a free slot and runs the steps, which undo their own partial work
     * when one fails. Backing objects a crash left under this id (between the two steps of an earlier
     * add) make a create step fail: only then is QEMU's inventory read, those leftovers released and
     * the steps run once more, so that the common path costs no round trip beyond the plug itself
     * when the caller has just listed the devices.
     */
    private AttachedDevice plug(String deviceId, PlugSteps steps) throws HypervisorException {
        PciTopology recent = recentPci();
        PciTopology pci = recent.device(deviceId).isPresent() || recent.firstFreePort().isEmpty() ? pci() : recent;
        if (pci.device(deviceId).isPresent())
            throw new HypervisorException(Kind.CONFLICT, "QEMU already has a device with id " + deviceId);
        PciTopology.Port port = pci.firstFreePort().orElseThrow(() -> new HypervisorException(Kind.CONFLICT,
                "no free hot-plug slot: all " + pci.ports().size() + " PCIe root ports of this VM are occupied;"
                        + " remove a device first, or relaunch the VM (it gets " + settings.spareHotplugSlots() + " spare slots)"));
        try {
            steps.run(port.id());
        } catch (QmpException e) {
            if (releaseOrphansOf(deviceId, true).isEmpty()) throw e;
            steps.run(port.id());
        }
        return attachedUnder(deviceId, port);
    }

    /**
     * Where the guest sees a device plugged under a root port: that port's secondary bus, slot 0.
     * Before the guest has numbered the port's bus (0 there), only a fresh query-pci can say.
     */
    private AttachedDevice attachedUnder(String id, PciTopology.Port port) throws HypervisorException {
        if (port.secondaryBus() != 0) return new AttachedDevice(id, String.format("0000:%02x:00.0", port.secondaryBus()));
        Optional<PciTopology.Device> d = pci().device(id);
        return new AttachedDevice(id, d.map(PciTopology.Device::address).orElse(null));
    }

    private boolean memoryShared() throws HypervisorException {
        JsonNode memdevs = call("query-memdev", null);
        if (memdevs.isEmpty()) return false;
        for (JsonNode m : memdevs) if (!m.path("share").asBoolean(false)) return false;
        return true;
    }

    @Override
    public void removeDevice(String id) throws HypervisorException {
        long seq = qmp.lastEventSeq();
        try {
            call("device_del", obj().put("id", id));
        } catch (QmpException e) {
            // Asking again while the guest has not ejected yet is not an error for us.
            if (!e.description().toLowerCase(Locale.ROOT).contains("in the process of unplug")) throw e;
        }
        removalAskedAt.putIfAbsent(id, seq);
    }

    @Override
    public boolean awaitRemoval(String id, Duration timeout) throws HypervisorException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long since = removalAskedAt.getOrDefault(id, qmp.lastEventSeq());
        while (pci().device(id).isPresent()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            Duration wait = Duration.ofNanos(Math.min(left, POLL.toNanos()));
            if (qmp.awaitEvent(e -> e.isDeviceDeleted(id), since, wait).isPresent()) break;
        }
        removalAskedAt.remove(id);
        return releaseBacking(id, deadline);
    }

    /**
     * Releases the block graph, throttle group and chardev named for a device that is gone.
     * QEMU may report the device deleted a moment before it drops its hold on the node, so an
     * "in use" refusal is retried until the deadline.
     */
    private boolean releaseBacking(String id, long deadline) throws HypervisorException {
        while (true) {
            try {
                releaseOrphansOf(id, false);
                return true;
            } catch (QmpException e) {
                if (System.nanoTime() >= deadline) {
                    log.warn("backing objects of {} still held at the deadline: {}", id, e.getMessage());
                    return false;
                }
                sleep(Duration.ofMillis(20));
            }
        }
    }

    @Override
    public void resize(Integer vcpus, Long memoryBytes) throws HypervisorException {
        if (vcpus != null) resizeCpus(vcpus);
        if (memoryBytes != null) resizeMemory(memoryBytes);
    }

    private void resizeCpus(int target) throws HypervisorException {
        if (target < 1) throw new HypervisorException(Kind.REFUSED, "vcpus must be at least 1, got " + target);
        JsonNode slots = call("query-hotpluggable-cpus", null);
        List<JsonNode> present = new ArrayList<>();
        List<JsonNode> empty = new ArrayList<>();
        for (JsonNode s : slots) (s.has("qom-path") ? present : empty).add(s);
        Comparator<JsonNode> order = Comparator.comparing(s -> cpuId(s.path("props")));
        if (target > present.size()) {
            int add = target - present.size();
            if (add > empty.size())
                throw new HypervisorException(Kind.REFUSED, "cannot go to " + target + " vCPUs: QEMU was started with maxcpus="
                        + slots.size() + " (" + present.size() + " present); relaunch with a higher maxCpus");
            empty.sort(order);
            for (JsonNode s : empty.subList(0, add)) {
                ObjectNode args = obj().put("driver", s.path("type").asText()).put("id", cpuId(s.path("props")));
                s.path("props").properties().forEach(f -> args.set(f.getKey(), f.getValue()));
                call("device_add", args);
            }
        } else if (target < present.size()) {
            if (!call("query-kvm", null).path("enabled").asBoolean(false))
                throw new HypervisorException(Kind.REFUSED, "cannot go down to " + target + " vCPUs: this VM runs under TCG,"
                        + " where QEMU's vCPU unplug is unsafe (QEMU 7.2 corrupted its heap and died after one, in form's tests);"
                        + " vCPUs can only be removed from KVM VMs, or by relaunching with fewer");
            List<JsonNode> removable = new ArrayList<>(present.stream()
                    .filter(s -> s.path("qom-path").asText().startsWith("/machine/peripheral/")).toList());
            int remove = present.size() - target;
            if (remove > removable.size())
                throw new HypervisorException(Kind.REFUSED, "cannot go down to " + target + " vCPUs: only the "
                        + removable.size() + " vCPUs added at run time can be unplugged, the " + (present.size() - removable.size())
                        + " the VM booted with stay");
            removable.sort(order.reversed());
            for (JsonNode s : removable.subList(0, remove)) {
                String id = s.path("qom-path").asText().substring("/machine/peripheral/".length());
                long seq = qmp.lastEventSeq();
                call("device_del", obj().put("id", id));
                if (!awaitCpuGone(id, seq))
                    throw new HypervisorException(Kind.TIMEOUT, "the guest did not release vCPU " + id + " within "
                            + settings.commandTimeout().toSeconds() + " s (a guest must support ACPI vCPU eject)");
            }
        }
    }

    private boolean awaitCpuGone(String id, long since) throws HypervisorException {
        long deadline = System.nanoTime() + settings.commandTimeout().toNanos();
        String path = "/machine/peripheral/" + id;
        while (true) {
            boolean present = false;
            for (JsonNode c : call("query-cpus-fast", null)) present |= path.equals(c.path("qom-path").asText());
            if (!present) return true;
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            if (qmp.awaitEvent(e -> e.isDeviceDeleted(id), since, Duration.ofNanos(Math.min(left, POLL.toNanos()))).isPresent())
                return true;
        }
    }

    private static String cpuId(JsonNode props) {
        return String.format("form-cpu-s%d-d%d-c%d-t%d", props.path("socket-id").asInt(), props.path("die-id").asInt(),
                props.path("core-id").asInt(), props.path("thread-id").asInt());
    }

    private void resizeMemory(long target) throws HypervisorException {
        JsonNode mem = call("query-memory-size-summary", null);
        long current = mem.path("base-memory").asLong() + mem.path("plugged-memory").asLong(0);
        if (target == current) return;
        if (target < current)
            throw new HypervisorException(Kind.REFUSED, "cannot shrink memory from " + current + " to " + target
                    + " bytes: QEMU can only take back whole DIMMs the guest agrees to offline, which form does not drive");
        long delta = target - current;
        if (delta % (2L << 20) != 0)
            throw new HypervisorException(Kind.REFUSED, "memory can only grow in steps of 2 MiB on QEMU; "
                    + delta + " bytes more is not one");
        Set<String> ids = new HashSet<>();
        for (JsonNode d : call("query-memory-devices", null)) ids.add(d.path("data").path("id").asText());
        int n = 1;
        while (ids.contains("form-dimm" + n)) n++;
        String dimm = "form-dimm" + n;
        boolean shared = memoryShared();
        ObjectNode backend = obj().put("qom-type", shared ? "memory-backend-memfd" : "memory-backend-ram")
                .put("id", dimm + "-mem").put("size", delta);
        if (shared) backend.put("share", true);
        try {
            call("object-add", backend);
            try {
                call("device_add", obj().put("driver", "pc-dimm").put("id", dimm).put("memdev", dimm + "-mem"));
            } catch (HypervisorException e) {
                undo("object-del", obj().put("id", dimm + "-mem"));
                throw e;
            }
        } catch (QmpException e) {
            throw new HypervisorException(Kind.REFUSED, 0, List.of("cannot grow memory to " + target + " bytes", e.description()),
                    "cannot grow memory from " + current + " to " + target + " bytes: " + e.description()
                            + " (memory can grow only up to the maxMemory the VM was launched with)", e);
        }
    }

    @Override
    public void powerButton() throws HypervisorException {
        call("system_powerdown", null);
    }

    @Override
    public void pause() throws HypervisorException {
        call("stop", null);
    }

    @Override
    public void resume() throws HypervisorException {
        call("cont", null);
    }

    @Override
    public void terminate() throws HypervisorException {
        try {
            qmp.execute("quit", null, Duration.ofSeconds(5));
        } catch (HypervisorException e) {
            // QEMU may hang up before or instead of answering quit; the process check below decides.
            log.debug("quit: {}", e.getMessage());
        }
        qmp.close();
        QemuProcess.stop(endpoint.pid(), Duration.ofSeconds(10));
        try {
            Files.deleteIfExists(endpoint.controlSocket());
        } catch (IOException e) {
            log.debug("could not remove {}: {}", endpoint.controlSocket(), e.toString());
        }
    }

    @Override
    public void close() {
        qmp.close();
    }

    private JsonNode call(String command, ObjectNode args) throws HypervisorException {
        if (!command.startsWith("query-") && !command.equals("qom-list") && !command.equals("qom-get")) recentPci = null;
        return qmp.execute(command, args, settings.commandTimeout());
    }

    /** A rollback step: its failure is logged, the original error is what the caller sees. */
    private void undo(String command, ObjectNode args) {
        try {
            call(command, args);
        } catch (HypervisorException e) {
            log.warn("rollback {} {} failed: {}", command, args, e.getMessage());
        }
    }

    private static ObjectNode obj() {
        return F.objectNode();
    }

    private static void sleep(Duration d) throws HypervisorException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(Kind.UNAVAILABLE, "interrupted", e);
        }
    }
}
