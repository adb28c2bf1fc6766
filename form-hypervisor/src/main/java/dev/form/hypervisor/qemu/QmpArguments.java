package dev.form.hypervisor.qemu;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import dev.form.core.model.RateLimit;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;

/**
 * The QMP (and, identically, command-line JSON) arguments for each resource. One place decides
 * how a form spec maps to QEMU objects, for hot-add and for launch alike, and refuses what QEMU
 * cannot express with a message naming the option.
 */
public final class QmpArguments {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private QmpArguments() {
    }

    /** Refuses disk options this driver cannot give QEMU, before anything is created. */
    public static void checkSupported(DiskSpec d) throws HypervisorException {
        BackingNames.requireValidId(d.id(), "disk id");
        if (d.iommu())
            throw refused("disk " + d.id() + ": iommu=true needs a virtual IOMMU, and form's QEMU VMs have none; add the disk without iommu");
        if (d.path() == null || !d.path().startsWith("/"))
            throw refused("disk " + d.id() + ": path must be absolute for QEMU, got '" + d.path() + "'");
        checkLimit(d.id(), "bandwidth", d.bandwidth());
        checkLimit(d.id(), "ops", d.ops());
        if (d.serial() != null && d.serial().length() > 20)
            throw refused("disk " + d.id() + ": serial '" + d.serial() + "' is longer than the 20 bytes virtio-blk can carry");
    }

    private static void checkLimit(String id, String what, RateLimit r) throws HypervisorException {
        if (r == null) return;
        if (r.oneTimeBurst() != 0)
            throw refused("disk " + id + ": " + what + " one_time_burst=" + r.oneTimeBurst()
                    + " cannot be expressed in QEMU, whose throttle bursts refill over time; set it to 0 for a QEMU VM");
        if (perSecond(r) < 1)
            throw refused("disk " + id + ": " + what + " of " + r.size() + " per " + r.refillTimeMs()
                    + " ms is below QEMU's smallest limit of 1 per second");
    }

    /** A token bucket of size tokens per refill time as QEMU's per-second rate. */
    static long perSecond(RateLimit r) {
        java.math.BigInteger rate = java.math.BigInteger.valueOf(r.size()).multiply(java.math.BigInteger.valueOf(1000))
                .divide(java.math.BigInteger.valueOf(r.refillTimeMs()));
        return rate.bitLength() < 64 ? rate.longValueExact() : Long.MAX_VALUE;
    }

    public static boolean throttled(DiskSpec d) {
        return d.bandwidth() != null || d.ops() != null;
    }

    /** object-add arguments for the disk's throttle group; call only when {@link #throttled}. */
    public static ObjectNode throttleGroup(DiskSpec d) {
        ObjectNode o = F.objectNode();
        o.put("qom-type", "throttle-group");
        o.put("id", BackingNames.of(d.id()).throttleGroup());
        ObjectNode limits = o.putObject("limits");
        if (d.bandwidth() != null) limits.put("bps-total", perSecond(d.bandwidth()));
        if (d.ops() != null) limits.put("iops-total", perSecond(d.ops()));
        return o;
    }

    /**
     * blockdev-add arguments: the whole graph (file node, format node, throttle filter) in one
     * call, so QEMU creates all or nothing and one blockdev-del of the root releases all.
     */
    public static ObjectNode blockdev(DiskSpec d) {
        BackingNames n = BackingNames.of(d.id());
        ObjectNode file = F.objectNode();
        file.put("driver", "file");
        file.put("node-name", n.fileNode());
        file.put("filename", d.path());
        file.put("read-only", d.readonly());
        file.putObject("cache").put("direct", d.direct()).put("no-flush", false);
        ObjectNode format = F.objectNode();
        format.put("driver", formatDriver(d.format()));
        format.put("node-name", n.formatNode());
        format.put("read-only", d.readonly());
        format.putObject("cache").put("direct", d.direct()).put("no-flush", false);
        format.set("file", file);
        if (!throttled(d)) return format;
        ObjectNode thr = F.objectNode();
        thr.put("driver", "throttle");
        thr.put("node-name", n.throttleNode());
        thr.put("throttle-group", n.throttleGroup());
        thr.put("read-only", d.readonly());
        thr.set("file", format);
        return thr;
    }

    static String formatDriver(ImageFormat f) {
        return switch (f) {
            case RAW -> "raw";
            case QCOW2 -> "qcow2";
            case VHDX -> "vhdx";
        };
    }

    public static ObjectNode diskDevice(DiskSpec d, String port) {
        ObjectNode o = F.objectNode();
        o.put("driver", "virtio-blk-pci");
        o.put("id", d.id());
        o.put("drive", BackingNames.of(d.id()).blockRoot(throttled(d)));
        o.put("bus", port);
        if (d.serial() != null && !d.serial().isEmpty()) o.put("serial", d.serial());
        if (d.numQueues() != null) o.put("num-queues", d.numQueues());
        if (d.queueSize() != null) o.put("queue-size", d.queueSize());
        return o;
    }

    public static void checkSupported(FsSpec fs) throws HypervisorException {
        BackingNames.requireValidId(fs.id(), "filesystem id");
        if (fs.socketPath() == null || !fs.socketPath().startsWith("/"))
            throw refused("filesystem " + fs.id() + ": the virtiofsd socket path must be absolute, got '" + fs.socketPath() + "'");
        if (fs.tag() == null || fs.tag().isEmpty() || fs.tag().length() > 36)
            throw refused("filesystem " + fs.id() + ": the tag must be 1 to 36 bytes (virtio-fs), got '" + fs.tag() + "'");
    }

    /** chardev-add arguments: a client socket to the virtiofsd that already listens. */
    public static ObjectNode fsChardev(FsSpec fs) {
        ObjectNode o = F.objectNode();
        o.put("id", BackingNames.of(fs.id()).chardev());
        ObjectNode data = o.putObject("backend").put("type", "socket").putObject("data");
        data.putObject("addr").put("type", "unix").putObject("data").put("path", fs.socketPath());
        data.put("server", false);
        return o;
    }

    public static ObjectNode fsDevice(FsSpec fs, String port) {
        ObjectNode o = F.objectNode();
        o.put("driver", "vhost-user-fs-pci");
        o.put("id", fs.id());
        o.put("chardev", BackingNames.of(fs.id()).chardev());
        o.put("tag", fs.tag());
        o.put("bus", port);
        if (fs.numQueues() != null) o.put("num-request-queues", fs.numQueues());
        if (fs.queueSize() != null) o.put("queue-size", fs.queueSize());
        return o;
    }

    public static void checkSupported(DeviceSpec dev) throws HypervisorException {
        BackingNames.requireValidId(dev.id(), "device id");
        if (dev.pciAddress() == null || !dev.pciAddress().matches("[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]"))
            throw refused("device " + dev.id() + ": QEMU's vfio-pci needs the host PCI address as DDDD:BB:SS.F, got '" + dev.pciAddress() + "'");
        if (dev.iommu())
            throw refused("device " + dev.id() + ": iommu=true needs a virtual IOMMU, and form's QEMU VMs have none");
    }

    public static ObjectNode vfioDevice(DeviceSpec dev, String port) {
        ObjectNode o = F.objectNode();
        o.put("driver", "vfio-pci");
        o.put("id", dev.id());
        o.put("host", dev.pciAddress());
        o.put("bus", port);
        return o;
    }

    private static HypervisorException refused(String message) {
        return new HypervisorException(Kind.REFUSED, message);
    }
}
