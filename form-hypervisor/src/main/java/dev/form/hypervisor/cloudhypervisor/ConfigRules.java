package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.cloudhypervisor.model.DeviceConfig;
import dev.form.hypervisor.cloudhypervisor.model.DiskConfig;
import dev.form.hypervisor.cloudhypervisor.model.FsConfig;
import dev.form.hypervisor.cloudhypervisor.model.ImageType;
import dev.form.hypervisor.cloudhypervisor.model.RateLimiterConfig;
import dev.form.hypervisor.cloudhypervisor.model.TokenBucket;
import dev.form.hypervisor.cloudhypervisor.model.VirtQueueAffinity;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cloud Hypervisor's own validation rules for hot-added devices (api-notes §2.8–2.10), plus this
 * driver's two: an explicit {@code id} and an explicit {@code image_type}. Checking them here turns
 * what would be a 500 (or a silently truncated tag) into an error naming the field.
 */
public final class ConfigRules {
    private ConfigRules() {
    }

    /** VIRTIO_BLK_ID_BYTES. */
    public static final int MAX_SERIAL_BYTES = 20;
    /** virtio-fs tag length; the JSON API would silently truncate a longer one. */
    public static final int MAX_TAG_BYTES = 36;
    public static final int MAX_QUEUE_SIZE = 32768;

    public static void checkDisk(DiskConfig d, VmLimits vm) {
        if (d == null) throw new InvalidConfigException("disk", "a disk config is required");
        checkId("disk.id", d.id());
        boolean vhostUser = Boolean.TRUE.equals(d.vhostUser());
        if (vhostUser) {
            if (blank(d.vhostSocket())) throw new InvalidConfigException("disk.vhost_socket", "required when vhost_user is true");
            if (Boolean.TRUE.equals(d.iommu())) throw new InvalidConfigException("disk.iommu", "not allowed with vhost_user");
            if (d.rateLimiterConfig() != null || d.rateLimitGroup() != null)
                throw new InvalidConfigException("disk.rate_limiter_config", "not allowed with vhost_user");
            if (!vm.sharedMemory())
                throw new InvalidConfigException("disk.vhost_user", "needs a VM created with shared memory or huge pages");
        } else {
            checkPath("disk.path", d.path());
            if (d.vhostSocket() != null) throw new InvalidConfigException("disk.vhost_socket", "only allowed with vhost_user");
        }
        if (d.imageType() == null || d.imageType() == ImageType.Unknown)
            throw new InvalidConfigException("disk.image_type",
                    "must name the format (Raw, Qcow2, Vhdx, FixedVhd or FlatVmdk): an autodetected raw image refuses writes to sector 0");
        checkQueues("disk", d.numQueues(), d.queueSize(), vm);
        if (d.serial() != null) {
            if (d.serial().getBytes(StandardCharsets.UTF_8).length > MAX_SERIAL_BYTES)
                throw new InvalidConfigException("disk.serial", "at most " + MAX_SERIAL_BYTES + " bytes");
            if (d.serial().chars().anyMatch(Character::isISOControl))
                throw new InvalidConfigException("disk.serial", "must not contain control characters");
        }
        if (d.rateLimiterConfig() != null && d.rateLimitGroup() != null)
            throw new InvalidConfigException("disk.rate_limit_group", "use either rate_limit_group or rate_limiter_config, not both");
        if (d.rateLimitGroup() != null) checkId("disk.rate_limit_group", d.rateLimitGroup());
        checkRateLimiter(d.rateLimiterConfig());
        checkAffinity(d.queueAffinity(), d.numQueues() == null ? 1 : d.numQueues());
        checkPci("disk", d.pciSegment(), d.pciDeviceId(), Boolean.TRUE.equals(d.iommu()), vm);
    }

    public static void checkFs(FsConfig f, VmLimits vm) {
        if (f == null) throw new InvalidConfigException("fs", "an fs config is required");
        checkId("fs.id", f.id());
        if (blank(f.tag())) throw new InvalidConfigException("fs.tag", "required");
        if (f.tag().getBytes(StandardCharsets.UTF_8).length > MAX_TAG_BYTES)
            throw new InvalidConfigException("fs.tag", "at most " + MAX_TAG_BYTES + " bytes");
        if (f.tag().chars().anyMatch(Character::isISOControl))
            throw new InvalidConfigException("fs.tag", "must not contain control characters");
        checkPath("fs.socket", f.socket());
        checkQueues("fs", f.numQueues(), f.queueSize(), vm);
        if (!vm.sharedMemory())
            throw new InvalidConfigException("fs", "virtio-fs needs a VM created with shared memory (or huge pages); this VM has neither");
        checkPci("fs", f.pciSegment(), f.pciDeviceId(), false, vm);
    }

    public static void checkDevice(DeviceConfig d, VmLimits vm) {
        if (d == null) throw new InvalidConfigException("device", "a device config is required");
        checkId("device.id", d.id());
        checkPath("device.path", d.path());
        if (d.xExcludeMmapBars() != null) {
            for (Integer bar : d.xExcludeMmapBars())
                if (bar == null || bar < 0 || bar > 5)
                    throw new InvalidConfigException("device.x_exclude_mmap_bars", "BAR indexes are 0 to 5, got " + bar);
        }
        if (d.xNvGpudirectClique() != null && (d.xNvGpudirectClique() < 0 || d.xNvGpudirectClique() > 255))
            throw new InvalidConfigException("device.x_nv_gpudirect_clique", "must be 0 to 255");
        checkPci("device", d.pciSegment(), d.pciDeviceId(), Boolean.TRUE.equals(d.iommu()), vm);
    }

    static void checkId(String field, String id) {
        if (id == null || id.isEmpty()) throw new InvalidConfigException(field, "an explicit id is required");
        if (id.startsWith("__")) throw new InvalidConfigException(field, "must not start with __ (reserved for the server's own devices)");
        if (id.startsWith("_virtio-pci-")) throw new InvalidConfigException(field, "must not start with _virtio-pci- (reserved for PCI nodes)");
        if (id.length() > 128) throw new InvalidConfigException(field, "at most 128 characters");
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'))
                throw new InvalidConfigException(field, "only letters, digits, '_', '-' and '.' are allowed, got '" + printable(c) + "'");
        }
    }

    private static void checkPath(String field, String path) {
        if (blank(path)) throw new InvalidConfigException(field, "required");
        if (!path.startsWith("/")) throw new InvalidConfigException(field, "must be an absolute path");
        if (path.chars().anyMatch(c -> c == 0 || Character.isISOControl(c)))
            throw new InvalidConfigException(field, "must not contain control characters");
    }

    private static void checkQueues(String kind, Integer numQueues, Integer queueSize, VmLimits vm) {
        if (numQueues != null) {
            if (numQueues < 1) throw new InvalidConfigException(kind + ".num_queues", "must be at least 1");
            if (numQueues > vm.bootVcpus())
                throw new InvalidConfigException(kind + ".num_queues", "must not exceed the VM's " + vm.bootVcpus() + " boot vCPUs");
        }
        if (queueSize != null) {
            if (queueSize <= 2 || queueSize > MAX_QUEUE_SIZE || Integer.bitCount(queueSize) != 1)
                throw new InvalidConfigException(kind + ".queue_size", "must be a power of two from 4 to " + MAX_QUEUE_SIZE);
        }
    }

    private static void checkRateLimiter(RateLimiterConfig r) {
        if (r == null) return;
        if (r.bandwidth() == null && r.ops() == null)
            throw new InvalidConfigException("disk.rate_limiter_config", "needs bandwidth, ops or both");
        checkBucket("disk.rate_limiter_config.bandwidth", r.bandwidth());
        checkBucket("disk.rate_limiter_config.ops", r.ops());
    }

    private static void checkBucket(String field, TokenBucket b) {
        if (b == null) return;
        if (b.size() == null || b.size() <= 0) throw new InvalidConfigException(field + ".size", "must be positive");
        if (b.refillTime() == null || b.refillTime() <= 0) throw new InvalidConfigException(field + ".refill_time", "must be positive");
        if (b.oneTimeBurst() != null && b.oneTimeBurst() < 0)
            throw new InvalidConfigException(field + ".one_time_burst", "must not be negative");
    }

    private static void checkAffinity(List<VirtQueueAffinity> affinity, int numQueues) {
        if (affinity == null) return;
        for (VirtQueueAffinity a : affinity) {
            if (a == null || a.queueIndex() == null || a.hostCpus() == null || a.hostCpus().isEmpty())
                throw new InvalidConfigException("disk.queue_affinity", "each entry needs queue_index and host_cpus");
            if (a.queueIndex() < 0 || a.queueIndex() >= numQueues)
                throw new InvalidConfigException("disk.queue_affinity", "queue_index " + a.queueIndex() + " is not one of the " + numQueues + " queues");
            for (Integer cpu : a.hostCpus())
                if (cpu == null || cpu < 0) throw new InvalidConfigException("disk.queue_affinity", "host CPU numbers must be 0 or more");
        }
    }

    private static void checkPci(String kind, Integer segment, Integer deviceId, boolean iommu, VmLimits vm) {
        int seg = segment == null ? 0 : segment;
        if (seg < 0 || seg >= vm.numPciSegments())
            throw new InvalidConfigException(kind + ".pci_segment", "must be 0 to " + (vm.numPciSegments() - 1) + " for this VM");
        if (deviceId != null && (deviceId < 1 || deviceId > 31))
            throw new InvalidConfigException(kind + ".pci_device_id", "must be 1 to 31");
        if (iommu && vm.knowsIommu() && !vm.iommuSegments().contains(seg))
            throw new InvalidConfigException(kind + ".iommu", "segment " + seg + " is not an IOMMU segment of this VM (a vIOMMU cannot be hot-added)");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
