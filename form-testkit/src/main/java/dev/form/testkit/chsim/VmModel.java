package dev.form.testkit.chsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The VM side of one simulated VMM: configuration, run state, device tree, PCI slots, the VM-wide
 * auto-id counter, open images with their locks, vhost-user connections, and the guest's delayed
 * ejection of removed devices. API calls reach it one at a time (the VMM serializes them); the
 * guest's ejections arrive from a timer, so every state change happens under this object's monitor.
 */
final class VmModel {
    enum State {
        CREATED("Created"), RUNNING("Running"), PAUSED("Paused");
        final String json;

        State(String json) {
            this.json = json;
        }
    }

    /** A device the device manager created: what to free when the guest ejects it or the VM goes. */
    private static final class Attachment {
        final String id;
        final String kind;
        final int segment;
        int slot = -1;
        ImageLockTable.Lease lease;
        SocketChannel vhost;
        String guestTag;

        Attachment(String id, String kind, int segment) {
            this.id = id;
            this.kind = kind;
            this.segment = segment;
        }

        void release() {
            if (lease != null) lease.release();
            VhostUserConnector.closeQuietly(vhost);
            lease = null;
            vhost = null;
        }
    }

    static final int SERIAL_MAX = 20;
    static final int FS_TAG_MAX = 36;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final long BAR_SIZE = 524_288;

    private final SimulatorOptions options;
    private final ScheduledExecutorService timers;
    private final Runnable guestPoweredOff;

    private ObjectNode config;
    private State state;
    private final LinkedHashMap<String, ObjectNode> tree = new LinkedHashMap<>();
    private final Map<String, Attachment> attachments = new LinkedHashMap<>();
    private final Set<String> awaitingEject = new HashSet<>();
    private final Set<String> ejectDeferredByPause = new HashSet<>();
    private PciBus bus;
    private int idCounter;
    private long nextBarBase;
    private long vcpuRemovalPendingUntil;
    private long generation;
    private boolean gone;

    VmModel(SimulatorOptions options, ScheduledExecutorService timers, Runnable guestPoweredOff) {
        this.options = options;
        this.timers = timers;
        this.guestPoweredOff = guestPoweredOff;
    }

    // ---------------------------------------------------------------- lifecycle

    synchronized void create(ObjectNode cfg) {
        String action = "The VM could not be created";
        if (config != null) throw ApiError.of(ApiError.Kind.INTERNAL, action, "VM is already created");
        config = cfg;
        state = State.CREATED;
    }

    synchronized void boot() {
        String action = "The VM could not boot";
        if (config == null) throw ApiError.of(ApiError.Kind.NOT_CREATED, action, "VM config is missing");
        if (state != State.CREATED) throw ApiError.of(ApiError.Kind.INTERNAL, action, "VM is already created");
        validate(config, action);
        JsonNode payload = config.get("payload");
        String kernel = payload == null ? null : text(payload, "kernel");
        String firmware = payload == null ? null : text(payload, "firmware");
        if (kernel == null && firmware == null) {
            throw ApiError.validation(action, "Payload configuration is not bootable");
        }
        String bootImage = kernel != null ? kernel : firmware;
        if (!Files.isReadable(Path.of(bootImage))) {
            throw ApiError.of(ApiError.Kind.INTERNAL, action, "Error loading kernel", "Cannot open kernel file",
                    osError(new NoSuchFileException(bootImage)));
        }

        bus = new PciBus((int) config.path("platform").path("num_pci_segments").asLong(1));
        idCounter = 0;
        nextBarBase = 70_351_564_800L;
        generation++;
        try {
            JsonNode console = config.get("console");
            if (console != null && !"Off".equals(text(console, "mode"))) addVirtioNodes("__console", "console", 0, null);
            JsonNode serial = config.get("serial");
            if (serial != null && !"Off".equals(text(serial, "mode"))) {
                tree.put("__serial", node("__serial", null));
            }
            for (JsonNode d : array(config, "disks")) attachDisk((ObjectNode) d, action);
            for (JsonNode n : array(config, "net")) {
                ObjectNode net = (ObjectNode) n;
                if (!net.hasNonNull("id")) putIdFirst(net, nextId("_net"));
                addVirtioNodes(text(net, "id"), "net", (int) net.path("pci_segment").asLong(0), null);
            }
            addVirtioNodes("__rng", "rng", 0, null);
            for (JsonNode f : array(config, "fs")) attachFs((ObjectNode) f, action, connectFs((ObjectNode) f, action));
            for (JsonNode d : array(config, "devices")) attachVfio((ObjectNode) d, action);
        } catch (ApiError e) {
            tearDownDevices();
            throw e;
        }
        state = State.RUNNING;
        console("Linux version 6.1.0 (form chsim simulated guest)");
        console("Booting the simulated guest: " + attachments.size() + " devices on PCI");
        console("simulated-guest login: ");
    }

    synchronized void shutdown() {
        if (config == null || state == State.CREATED) {
            throw ApiError.of(ApiError.Kind.INTERNAL, "The VM could not shutdown", "VM is not running");
        }
        tearDownDevices();
        state = State.CREATED;
        console("reboot: Power down");
    }

    synchronized void delete() {
        if (config != null && state != State.CREATED) tearDownDevices();
        config = null;
        state = null;
    }

    synchronized void pause() {
        if (state != State.RUNNING) throw ApiError.of(ApiError.Kind.INTERNAL, "The VM could not pause", "VM is not running");
        state = State.PAUSED;
    }

    synchronized void resume() {
        if (state != State.PAUSED) throw ApiError.of(ApiError.Kind.INTERNAL, "The VM could not resume", "VM is not paused");
        state = State.RUNNING;
        for (String id : List.copyOf(ejectDeferredByPause)) scheduleEject(id);
        ejectDeferredByPause.clear();
    }

    synchronized void powerButton() {
        if (state != State.RUNNING && state != State.PAUSED) {
            throw ApiError.of(ApiError.Kind.INTERNAL, "The VM power button could not be triggered", "VM is not running");
        }
        // The guest reacts to the ACPI power button by powering off, and then the whole VMM exits.
        if (options.guestEjects() && state == State.RUNNING) {
            console("ACPI: Power Button [PWRF]");
            timers.schedule(guestPoweredOff, options.ejectDelay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The VMM process ends: everything it held is released. */
    synchronized void vmmGone() {
        gone = true;
        if (config != null && state != State.CREATED) tearDownDevices();
        config = null;
        state = null;
    }

    synchronized VmmSnapshot snapshot() {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Attachment a : attachments.values()) if (a.guestTag != null) tags.put(a.id, a.guestTag);
        return new VmmSnapshot(state == null ? "none" : state.json, config == null ? null : config.deepCopy(),
                booted() ? treeJson() : null, Map.copyOf(tags));
    }

    synchronized String stateName() {
        return state == null ? "none" : state.json;
    }

    synchronized ObjectNode info() {
        if (config == null) throw ApiError.of(ApiError.Kind.NOT_CREATED, "The VM info is not available", "VM is not created");
        ObjectNode info = F.objectNode();
        info.set("config", config.deepCopy());
        info.put("state", state.json);
        JsonNode mem = config.path("memory");
        info.put("memory_actual_size", mem.path("size").asLong(0) + mem.path("hotplugged_size").asLong(0));
        if (booted()) info.set("device_tree", treeJson());
        return info;
    }

    // ---------------------------------------------------------------- hot-plug

    /** @return the PciDeviceInfo for a hot add, or null for a cold add (204) */
    synchronized ObjectNode addDisk(ObjectNode disk) {
        String action = "The disk could not be added to the VM";
        requireConfig(action);
        ObjectNode candidate = config.deepCopy();
        candidate.withArray("disks").add(disk);
        validate(candidate, action);
        if (!booted()) {
            config.withArray("disks").add(disk);
            return null;
        }
        String id = text(disk, "id");
        if (id != null && tree.containsKey(id)) throw ApiError.deviceManager(action, "Invalid identifier as it is not unique");
        Attachment a = attachDisk(disk, action);
        config.withArray("disks").add(disk);
        console("pci " + PciBus.bdf(a.segment, a.slot) + ": [1af4:1042] virtio-blk hot-added (" + a.id + ")");
        return pciInfo(a);
    }

    synchronized ObjectNode addDevice(ObjectNode device) {
        String action = "The device could not be added to the VM";
        requireConfig(action);
        ObjectNode candidate = config.deepCopy();
        candidate.withArray("devices").add(device);
        validate(candidate, action);
        if (!booted()) {
            config.withArray("devices").add(device);
            return null;
        }
        String id = text(device, "id");
        if (id != null && tree.containsKey(id)) throw ApiError.deviceManager(action, "Invalid identifier as it is not unique");
        Attachment a = attachVfio(device, action);
        config.withArray("devices").add(device);
        console("pci " + PciBus.bdf(a.segment, a.slot) + ": vfio-pci device hot-added (" + a.id + ")");
        return pciInfo(a);
    }

    /**
     * add-fs in two steps around the wait for virtiofsd, which happens outside the monitor so that
     * the guest's ejections and test snapshots are not held up (the API itself is blocked, as in CH).
     */
    ObjectNode addFs(ObjectNode fs) throws InterruptedException {
        String action = "The fs could not be added to the VM";
        long gen;
        synchronized (this) {
            requireConfig(action);
            ObjectNode candidate = config.deepCopy();
            candidate.withArray("fs").add(fs);
            validate(candidate, action);
            if (!booted()) {
                config.withArray("fs").add(fs);
                return null;
            }
            String id = text(fs, "id");
            if (id != null && tree.containsKey(id)) throw ApiError.deviceManager(action, "Invalid identifier as it is not unique");
            gen = generation;
        }
        SocketChannel vhost = VhostUserConnector.connect(Path.of(text(fs, "socket")), options.vhostUserWait());
        synchronized (this) {
            if (vhost == null) {
                throw ApiError.deviceManager(action, "Cannot create virtio-fs device", "Failed to connect to vhost-user backend",
                        "Timed out waiting for vhost-user connection");
            }
            if (gone || gen != generation || !booted()) {
                VhostUserConnector.closeQuietly(vhost);
                throw ApiError.of(ApiError.Kind.INTERNAL, action, "VM is not running");
            }
            Attachment a = attachFs(fs, action, vhost);
            config.withArray("fs").add(fs);
            console("pci " + PciBus.bdf(a.segment, a.slot) + ": [1af4:105a] virtio-fs hot-added (" + a.id + ", tag " + a.guestTag + ")");
            return pciInfo(a);
        }
    }

    synchronized void removeDevice(String id) {
        String action = "The device could not be removed from the VM";
        requireConfig(action);
        if (!booted()) {
            for (String section : List.of("disks", "fs", "devices", "net", "pmem", "vdpa", "user_devices")) {
                ArrayNode list = config.has(section) ? (ArrayNode) config.get(section) : null;
                if (list == null) continue;
                for (int i = 0; i < list.size(); i++) {
                    if (id.equals(text(list.get(i), "id"))) {
                        list.remove(i);
                        return;
                    }
                }
            }
            throw ApiError.of(ApiError.Kind.UNKNOWN_DEVICE, action, "No device with id \"" + id + "\" to remove");
        }
        boolean inConfig = findInConfig(id) != null;
        if (!options.version().atLeast(ApiVersion.V54) && !inConfig) {
            // v53 and older look the id up in the config first: a device awaiting ejection is unknown there.
            throw ApiError.of(ApiError.Kind.UNKNOWN_DEVICE, action, "Error from device manager", "Unknown device id: " + id);
        }
        if (!tree.containsKey(id)) {
            throw ApiError.of(ApiError.Kind.UNKNOWN_DEVICE, action, "Error from device manager", "Unknown device id: " + id);
        }
        Attachment a = attachments.get(id);
        if (a == null || !List.of("disk", "fs", "vfio", "net").contains(a.kind)) {
            throw ApiError.deviceManager(action, "Not allowed to remove this type of device");
        }
        if (inConfig) removeFromConfig(id);
        if (awaitingEject.add(id)) {
            console("pci " + PciBus.bdf(a.segment, a.slot) + ": ACPI eject request (" + id + ")");
            scheduleEject(id);
        }
    }

    synchronized void resize(ConfigReader.Resize r) {
        String action = "The VM could not be resized";
        requireConfig(action);
        ObjectNode cpus = (ObjectNode) config.get("cpus");
        ObjectNode mem = (ObjectNode) config.get("memory");
        long max = cpus.path("max_vcpus").asLong(1);
        if (!booted()) {
            if (r.desiredVcpus() != null) cpus.put("boot_vcpus", r.desiredVcpus());
            if (r.desiredRam() != null) mem.put("size", r.desiredRam());
            if (r.desiredBalloon() != null && config.has("balloon")) ((ObjectNode) config.get("balloon")).put("size", r.desiredBalloon());
            return;
        }
        if (r.desiredVcpus() != null) {
            long desired = r.desiredVcpus();
            long current = cpus.path("boot_vcpus").asLong(1);
            if (System.nanoTime() < vcpuRemovalPendingUntil) {
                throw ApiError.of(ApiError.Kind.RESIZE_PENDING, action, "Error from CPU manager", "vCPU removal is still pending");
            }
            if (desired < 1 || desired > max) {
                throw ApiError.of(ApiError.Kind.INTERNAL, action, "Error from CPU manager",
                        "Desired vCPUs (" + desired + ") must be between 1 and the maximum (" + max + ")");
            }
            if (desired < current) {
                vcpuRemovalPendingUntil = options.guestEjects()
                        ? System.nanoTime() + options.ejectDelay().toNanos() : Long.MAX_VALUE;
            }
            cpus.put("boot_vcpus", desired);
        }
        if (r.desiredRam() != null) {
            long size = mem.path("size").asLong();
            long hotplugged = mem.path("hotplugged_size").asLong(0);
            long desired = r.desiredRam();
            if (desired != size + hotplugged) {
                if (!mem.hasNonNull("hotplug_size")) {
                    throw ApiError.of(ApiError.Kind.INTERNAL, action, "Error from memory manager", "Memory resizing is not allowed: no hotplug_size");
                }
                if (desired > size + mem.get("hotplug_size").asLong()) {
                    throw ApiError.of(ApiError.Kind.INTERNAL, action, "Error from memory manager", "Insufficient space for hotplugging memory");
                }
                if (desired > size) mem.put("hotplugged_size", desired - size);
                // Shrinking ACPI hotplugged memory only takes effect at the next reboot.
            }
        }
        if (r.desiredBalloon() != null) {
            if (!config.has("balloon")) throw ApiError.of(ApiError.Kind.INTERNAL, action, "No balloon device");
            ((ObjectNode) config.get("balloon")).put("size", r.desiredBalloon());
        }
    }

    // ---------------------------------------------------------------- devices

    private Attachment attachDisk(ObjectNode disk, String action) {
        int segment = (int) disk.path("pci_segment").asLong(0);
        boolean iommu = disk.path("iommu").asBoolean(false);
        if (iommu && !isIommuSegment(segment)) throw ApiError.deviceManager(action, "Cannot hotplug device behind vIOMMU");
        boolean vhostUser = disk.path("vhost_user").asBoolean(false);
        String path = text(disk, "path");
        String id = text(disk, "id");
        if (vhostUser) {
            throw ApiError.deviceManager(action, "Cannot create virtio-blk device", "vhost-user-blk is not modelled by the simulator");
        }
        if (path == null) throw ApiError.deviceManager(action, "No disk path was specified");
        Path image = Path.of(path);
        boolean readonly = disk.path("readonly").asBoolean(false);
        try {
            // Open as the server does: O_RDONLY for readonly, O_RDWR otherwise.
            if (readonly) Files.newByteChannel(image, StandardOpenOption.READ).close();
            else Files.newByteChannel(image, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
        } catch (IOException e) {
            throw ApiError.deviceManager(action, "Cannot open disk path", "I/O error (path=" + path + " op=open)", osError(e));
        }
        String detected;
        try {
            detected = ImageTypeDetector.detect(image);
        } catch (IOException e) {
            throw ApiError.deviceManager(action, "Cannot open disk path", "I/O error (path=" + path + " op=read)", osError(e));
        }
        String given = text(disk, "image_type");
        if (given != null && !"Unknown".equals(given) && !given.equals(detected)) {
            throw ApiError.deviceManager(action, "Cannot create virtio-blk device",
                    "Image type mismatch: specified " + given + ", detected " + detected);
        }
        long queueSize = disk.path("queue_size").asLong(128);
        if (Long.bitCount(queueSize) != 1) {
            throw ApiError.deviceManager(action, "Cannot create virtio-blk device", "Queue size " + queueSize + " is not a power of two");
        }
        ImageLockTable.Lease lease;
        try {
            lease = ImageLockTable.HOST.tryLock(image, !readonly);
        } catch (IOException e) {
            throw ApiError.deviceManager(action, "Cannot open disk path", "I/O error (path=" + path + " op=lock)", osError(e));
        }
        if (lease == null) {
            throw ApiError.deviceManager(action, "Cannot lock images of all block devices",
                    "The file " + path + " is locked by another process (os error 11)");
        }
        if (id == null) id = nextId("_disk");
        Attachment a = new Attachment(id, "disk", segment);
        a.lease = lease;
        putIdFirst(disk, id);
        if (given == null || "Unknown".equals(given)) disk.put("image_type", detected);
        placeVirtio(a, disk, action);
        return a;
    }

    private SocketChannel connectFs(ObjectNode fs, String action) {
        try {
            SocketChannel ch = VhostUserConnector.connect(Path.of(text(fs, "socket")), options.vhostUserWait());
            if (ch == null) {
                throw ApiError.deviceManager(action, "Cannot create virtio-fs device", "Failed to connect to vhost-user backend",
                        "Timed out waiting for vhost-user connection");
            }
            return ch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.deviceManager(action, "Cannot create virtio-fs device", "Interrupted");
        }
    }

    private Attachment attachFs(ObjectNode fs, String action, SocketChannel vhost) {
        String id = text(fs, "id");
        if (id == null) id = nextId("_fs");
        int segment = (int) fs.path("pci_segment").asLong(0);
        Attachment a = new Attachment(id, "fs", segment);
        a.vhost = vhost;
        byte[] tag = text(fs, "tag").getBytes(StandardCharsets.UTF_8);
        // The JSON API does not enforce the 36-byte limit: the device silently keeps the first 36 bytes.
        a.guestTag = new String(tag, 0, Math.min(tag.length, FS_TAG_MAX), StandardCharsets.UTF_8);
        putIdFirst(fs, id);
        try {
            placeVirtio(a, fs, action);
        } catch (ApiError e) {
            a.release();
            throw e;
        }
        return a;
    }

    private Attachment attachVfio(ObjectNode device, String action) {
        int segment = (int) device.path("pci_segment").asLong(0);
        boolean iommu = device.path("iommu").asBoolean(false);
        if (iommu && !isIommuSegment(segment)) throw ApiError.deviceManager(action, "Cannot hotplug device behind vIOMMU");
        String path = text(device, "path");
        // Stand-in for "bound to vfio-pci with an accessible IOMMU group": the sysfs directory exists.
        if (path == null || !Files.isDirectory(Path.of(path))) {
            throw ApiError.deviceManager(action, "Cannot create a VFIO device",
                    "Failed to open VFIO device " + path, "No such file or directory (os error 2)");
        }
        String id = text(device, "id");
        if (id == null) id = nextId("_vfio");
        putIdFirst(device, id);
        Attachment a = new Attachment(id, "vfio", segment);
        tree.put(id, node(id, null));
        int slot = bus.allocate(segment, requestedSlot(device));
        if (slot < 0) {
            // Like the server: the node is already in the device tree and is not rolled back.
            throw ApiError.deviceManager(action, "Failed to allocate a PCI device id on segment " + segment);
        }
        a.slot = slot;
        ObjectNode n = tree.get(id);
        n.withArray("resources").add(bar(16L << 20));
        n.put("pci_bdf", PciBus.bdf(segment, slot));
        attachments.put(id, a);
        return a;
    }

    /** The child node, then the PCI slot, then the _virtio-pci-&lt;id&gt; node with the BDF. */
    private void placeVirtio(Attachment a, ObjectNode cfg, String action) {
        tree.put(a.id, node(a.id, "_virtio-pci-" + a.id));
        int slot = bus.allocate(a.segment, requestedSlot(cfg));
        if (slot < 0) {
            a.release();
            throw ApiError.deviceManager(action, "Failed to allocate a PCI device id on segment " + a.segment);
        }
        a.slot = slot;
        addPciNode(a.id, a.segment, slot);
        attachments.put(a.id, a);
    }

    private void addVirtioNodes(String id, String kind, int segment, Integer requested) {
        Attachment a = new Attachment(id, kind, segment);
        tree.put(id, node(id, "_virtio-pci-" + id));
        int slot = bus.allocate(segment, requested);
        if (slot < 0) throw ApiError.deviceManager("The VM could not boot", "Failed to allocate a PCI device id on segment " + segment);
        a.slot = slot;
        addPciNode(id, segment, slot);
        attachments.put(id, a);
    }

    private void addPciNode(String id, int segment, int slot) {
        String pciId = "_virtio-pci-" + id;
        ObjectNode pci = node(pciId, null);
        pci.withArray("resources").add(bar(BAR_SIZE));
        pci.withArray("children").add(id);
        pci.put("pci_bdf", PciBus.bdf(segment, slot));
        tree.put(pciId, pci);
    }

    private ObjectNode bar(long size) {
        ObjectNode bar = F.objectNode();
        bar.put("index", 0).put("base", nextBarBase).put("size", size).put("type_", "Mmio64").put("prefetchable", false);
        nextBarBase += Math.max(size, BAR_SIZE);
        ObjectNode res = F.objectNode();
        res.set("PciBar", bar);
        return res;
    }

    private static ObjectNode node(String id, String parent) {
        ObjectNode n = F.objectNode();
        n.put("id", id);
        n.set("resources", F.arrayNode());
        if (parent != null) n.put("parent", parent);
        n.set("children", F.arrayNode());
        return n;
    }

    private void scheduleEject(String id) {
        if (!options.guestEjects()) return;
        long gen = generation;
        timers.schedule(() -> eject(id, gen), options.ejectDelay().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The guest wrote the ACPI eject register: the device really goes. */
    private synchronized void eject(String id, long gen) {
        if (gen != generation || !awaitingEject.contains(id)) return;
        if (state == State.PAUSED) {
            ejectDeferredByPause.add(id);
            return;
        }
        awaitingEject.remove(id);
        Attachment a = attachments.remove(id);
        tree.remove(id);
        tree.remove("_virtio-pci-" + id);
        if (a != null) {
            bus.free(a.segment, a.slot);
            a.release();
            console("pci " + PciBus.bdf(a.segment, a.slot) + ": device ejected (" + id + ")");
        }
    }

    private void tearDownDevices() {
        for (Attachment a : attachments.values()) a.release();
        attachments.clear();
        tree.clear();
        awaitingEject.clear();
        ejectDeferredByPause.clear();
        vcpuRemovalPendingUntil = 0;
        generation++;
    }

    private String nextId(String prefix) {
        Set<String> configured = new HashSet<>(allConfigIds(config));
        while (true) {
            String id = prefix + idCounter++;
            if (!configured.contains(id) && !tree.containsKey(id)) return id;
        }
    }

    private ObjectNode pciInfo(Attachment a) {
        ObjectNode o = F.objectNode();
        o.put("id", a.id);
        o.put("bdf", PciBus.bdf(a.segment, a.slot));
        return o;
    }

    // ---------------------------------------------------------------- validation (VmConfig::validate)

    private void validate(ObjectNode c, String action) {
        JsonNode cpus = c.path("cpus");
        long boot = cpus.path("boot_vcpus").asLong(1);
        if (cpus.path("max_vcpus").asLong(1) < boot) throw ApiError.validation(action, "Max CPUs lower than boot CPUs");
        JsonNode mem = c.path("memory");
        boolean shared = mem.path("shared").asBoolean(false) || mem.path("hugepages").asBoolean(false);
        if (!shared && mem.path("size").asLong(0) == 0 && mem.has("zones") && mem.get("zones").size() > 0) {
            shared = true;
            for (JsonNode z : mem.get("zones")) {
                if (!z.path("shared").asBoolean(false) && !z.path("hugepages").asBoolean(false)) shared = false;
            }
        }
        long segments = c.path("platform").path("num_pci_segments").asLong(1);
        if (segments < 1 || segments > 96) {
            throw ApiError.validation(action, "Number of PCI segments (" + segments + ") not in range of 1 to 96");
        }
        Set<Long> iommuSegments = new HashSet<>();
        for (JsonNode s : c.path("platform").path("iommu_segments")) iommuSegments.add(s.asLong());
        Set<String> groups = new HashSet<>();
        for (JsonNode g : c.path("rate_limit_groups")) groups.add(g.path("id").asText());

        Set<String> ids = new HashSet<>();
        for (JsonNode g : c.path("rate_limit_groups")) checkId(g, ids, action);
        for (JsonNode z : mem.path("zones")) checkId(z, ids, action);
        for (JsonNode d : c.path("disks")) {
            boolean vhostUser = d.path("vhost_user").asBoolean(false);
            if (vhostUser && !shared) throw ApiError.validation(action, "Using vhost-user requires using shared memory or huge pages");
            if (vhostUser && !d.hasNonNull("vhost_socket")) throw ApiError.validation(action, "No socket provided when using vhost-user");
            if (d.hasNonNull("path") && d.hasNonNull("vhost_socket")) throw ApiError.validation(action, "Disk path and vhost socket both provided");
            if (d.path("num_queues").asLong(1) > boot) throw ApiError.validation(action, "Number of vCPUs is insufficient for number of queues");
            long qs = d.path("queue_size").asLong(128);
            if (qs <= 2) throw ApiError.validation(action, "Queue size is smaller than 2: " + qs);
            if (d.hasNonNull("serial")) {
                int n = d.get("serial").asText().getBytes(StandardCharsets.UTF_8).length;
                if (n > SERIAL_MAX) {
                    throw ApiError.validation(action, "Block device serial length (" + n + ") exceeds maximum allowed length (" + SERIAL_MAX + ")");
                }
            }
            if (d.hasNonNull("rate_limit_group") && (!groups.contains(d.get("rate_limit_group").asText()) || d.hasNonNull("rate_limiter_config"))) {
                throw ApiError.validation(action, "Invalid rate-limiter group");
            }
            checkSegment(d, segments, iommuSegments, true, action);
            checkId(d, ids, action);
        }
        for (JsonNode n : c.path("net")) checkId(n, ids, action);
        for (JsonNode f : c.path("fs")) {
            if (!shared) throw ApiError.validation(action, "Using vhost-user requires using shared memory or huge pages");
            if (f.path("num_queues").asLong(1) > boot) throw ApiError.validation(action, "Number of vCPUs is insufficient for number of queues");
            if (f.path("iommu").asBoolean(false)) throw ApiError.validation(action, "Device does not support being placed behind IOMMU");
            checkSegment(f, segments, iommuSegments, false, action);
            checkId(f, ids, action);
        }
        for (JsonNode p : c.path("pmem")) checkId(p, ids, action);
        Set<String> paths = new HashSet<>();
        for (JsonNode d : c.path("devices")) {
            if (!d.hasNonNull("path")) throw ApiError.validation(action, "VFIO device config must specify path= or fd=");
            String p = d.get("path").asText();
            if (!paths.add(p)) throw new ApiError(ApiError.Kind.DUPLICATE, List.of("Error from API", action, "Failed to validate config", "Duplicated device path: " + p));
            checkSegment(d, segments, iommuSegments, true, action);
            checkId(d, ids, action);
        }
        for (JsonNode v : c.path("vdpa")) checkId(v, ids, action);
        if (c.has("vsock")) checkId(c.get("vsock"), ids, action);
        for (JsonNode u : c.path("user_devices")) checkId(u, ids, action);
    }

    private static void checkSegment(JsonNode d, long segments, Set<Long> iommuSegments, boolean supportsIommu, String action) {
        long seg = d.path("pci_segment").asLong(0);
        if (seg >= segments) throw ApiError.validation(action, "Invalid PCI segment id: " + seg);
        if (iommuSegments.contains(seg) && !d.path("iommu").asBoolean(false)) {
            throw ApiError.validation(action, supportsIommu
                    ? "Device is on an IOMMU PCI segment (" + seg + ") but not placed behind IOMMU"
                    : "Device is on an IOMMU PCI segment (" + seg + ") but does not support being placed behind IOMMU");
        }
    }

    private static void checkId(JsonNode d, Set<String> ids, String action) {
        if (!d.hasNonNull("id")) return;
        String id = d.get("id").asText();
        if (id.startsWith("__")) throw ApiError.validation(action, "Identifier " + id + " is not invalid");
        if (!ids.add(id)) {
            throw new ApiError(ApiError.Kind.DUPLICATE, List.of("Error from API", action, "Failed to validate config", "Identifier " + id + " is not unique"));
        }
    }

    // ---------------------------------------------------------------- helpers

    private boolean booted() {
        return state == State.RUNNING || state == State.PAUSED;
    }

    private void requireConfig(String action) {
        if (config == null) throw ApiError.of(ApiError.Kind.NOT_CREATED, action, "VM is not created");
    }

    private boolean isIommuSegment(int segment) {
        for (JsonNode s : config.path("platform").path("iommu_segments")) if (s.asLong() == segment) return true;
        return false;
    }

    private static Integer requestedSlot(JsonNode cfg) {
        return cfg.hasNonNull("pci_device_id") ? cfg.get("pci_device_id").asInt() : null;
    }

    private JsonNode findInConfig(String id) {
        for (String section : List.of("disks", "fs", "devices", "net", "pmem", "vdpa", "user_devices")) {
            for (JsonNode n : config.path(section)) if (id.equals(text(n, "id"))) return n;
        }
        return null;
    }

    private void removeFromConfig(String id) {
        for (String section : List.of("disks", "fs", "devices", "net", "pmem", "vdpa", "user_devices")) {
            JsonNode list = config.get(section);
            if (list == null) continue;
            for (int i = 0; i < list.size(); i++) {
                if (id.equals(text(list.get(i), "id"))) {
                    ((ArrayNode) list).remove(i);
                    return;
                }
            }
        }
    }

    private static List<String> allConfigIds(JsonNode c) {
        List<String> ids = new ArrayList<>();
        if (c == null) return ids;
        for (String section : List.of("disks", "fs", "devices", "net", "pmem", "vdpa", "user_devices", "rate_limit_groups")) {
            for (JsonNode n : c.path(section)) if (n.hasNonNull("id")) ids.add(n.get("id").asText());
        }
        for (JsonNode z : c.path("memory").path("zones")) if (z.hasNonNull("id")) ids.add(z.get("id").asText());
        return ids;
    }

    private ObjectNode treeJson() {
        ObjectNode t = F.objectNode();
        for (Map.Entry<String, ObjectNode> e : tree.entrySet()) t.set(e.getKey(), e.getValue().deepCopy());
        return t;
    }

    private static Iterable<JsonNode> array(JsonNode c, String field) {
        JsonNode n = c.get(field);
        return n == null ? List.of() : n;
    }

    /** Generated ids go where serde puts the field: first (pci_common is flattened at the front). */
    private static void putIdFirst(ObjectNode n, String id) {
        if (n.hasNonNull("id")) {
            n.put("id", id);
            return;
        }
        ObjectNode rest = n.deepCopy();
        n.removeAll();
        n.put("id", id);
        rest.remove("id");
        n.setAll(rest);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String osError(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory (os error 2)";
        if (e instanceof AccessDeniedException) return "Permission denied (os error 13)";
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** Appends a line to the serial file, when the VM's serial console is a file. */
    private void console(String line) {
        if (config == null) return;
        JsonNode serial = config.get("serial");
        if (serial == null || !"File".equals(text(serial, "mode")) || text(serial, "file") == null) return;
        try {
            Files.writeString(Path.of(text(serial, "file")), "[" + String.format("%12.6f", System.nanoTime() / 1e9 % 100000) + "] " + line + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // a console the host cannot write is lost output, as with the real serial device
        }
    }
}
