package dev.form.hypervisor.cloudhypervisor;

import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import dev.form.core.model.RateLimit;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.hypervisor.cloudhypervisor.model.ConsoleConfig;
import dev.form.hypervisor.cloudhypervisor.model.CpusConfig;
import dev.form.hypervisor.cloudhypervisor.model.DeviceConfig;
import dev.form.hypervisor.cloudhypervisor.model.DiskConfig;
import dev.form.hypervisor.cloudhypervisor.model.FsConfig;
import dev.form.hypervisor.cloudhypervisor.model.ImageType;
import dev.form.hypervisor.cloudhypervisor.model.MemoryConfig;
import dev.form.hypervisor.cloudhypervisor.model.PayloadConfig;
import dev.form.hypervisor.cloudhypervisor.model.PlatformConfig;
import dev.form.hypervisor.cloudhypervisor.model.RateLimiterConfig;
import dev.form.hypervisor.cloudhypervisor.model.TokenBucket;
import dev.form.hypervisor.cloudhypervisor.model.VmConfig;

import java.util.List;

/**
 * form's resource specs as Cloud Hypervisor configs. Every default is spelled out the way
 * ch-remote sends it, so a request means the same on every server release; the differences from
 * ch-remote are deliberate: the id is always explicit (form tracks devices by its own ids), the
 * image type is always explicit (an autodetected raw image refuses writes to sector 0), and absent
 * values are omitted rather than sent as null (the spec has no nullable fields).
 */
public final class SpecMapping {
    private SpecMapping() {
    }

    public static ImageType imageType(ImageFormat format) {
        if (format == null) throw new InvalidConfigException("disk.format", "required: form always names the image format");
        return switch (format) {
            case RAW -> ImageType.Raw;
            case QCOW2 -> ImageType.Qcow2;
            case VHDX -> ImageType.Vhdx;
        };
    }

    public static DiskConfig disk(DiskSpec s, VmLimits vm) {
        return disk(s, vm, 0);
    }

    /** @param segment the PCI segment for a device not behind the IOMMU (those go to an IOMMU segment) */
    public static DiskConfig disk(DiskSpec s, VmLimits vm, int segment) {
        DiskConfig d = DiskConfig.withDefaults(s.id(), s.path(), imageType(s.format()))
                .withPciSegment(segment)
                .withReadonly(s.readonly())
                .withDirect(s.direct())
                .withQueues(s.numQueues() == null ? 1 : s.numQueues(), s.queueSize() == null ? 128 : s.queueSize())
                .withSerial(s.serial())
                .withRateLimiter(rateLimiter(s.bandwidth(), s.ops()));
        if (s.iommu()) d = d.withIommu(true).withPciSegment(iommuSegment("disk.iommu", vm));
        return d;
    }

    public static FsConfig fs(FsSpec s) {
        return fs(s, 0);
    }

    public static FsConfig fs(FsSpec s, int segment) {
        return new FsConfig(s.id(), segment, null, s.tag(), s.socketPath(),
                s.numQueues() == null ? 1 : s.numQueues(), s.queueSize() == null ? 1024 : s.queueSize());
    }

    public static DeviceConfig device(DeviceSpec s, VmLimits vm) {
        return device(s, vm, 0);
    }

    public static DeviceConfig device(DeviceSpec s, VmLimits vm, int segment) {
        DeviceConfig d = DeviceConfig.withDefaults(s.id(), s.sysfsPath(), s.iommu());
        d = new DeviceConfig(d.id(), d.iommu(), segment, null, d.path(), null, d.xExcludeMmapBars());
        if (s.iommu())
            d = new DeviceConfig(d.id(), true, iommuSegment("device.iommu", vm), null, d.path(), null, d.xExcludeMmapBars());
        return d;
    }

    static RateLimiterConfig rateLimiter(RateLimit bandwidth, RateLimit ops) {
        if (bandwidth == null && ops == null) return null;
        return new RateLimiterConfig(bucket(bandwidth), bucket(ops));
    }

    private static TokenBucket bucket(RateLimit r) {
        return r == null ? null : new TokenBucket(r.size(), r.oneTimeBurst(), r.refillTimeMs());
    }

    private static int iommuSegment(String field, VmLimits vm) {
        if (!vm.knowsIommu()) return 0;
        if (vm.iommuSegments().isEmpty())
            throw new InvalidConfigException(field, "this VM was created without an IOMMU segment, so no device can be placed behind the vIOMMU");
        return vm.iommuSegments().get(0);
    }

    /**
     * The VM a launch spec describes: serial console into the console log, memory shared when
     * asked (virtio-fs needs it and it cannot be changed later), and the spec's maximum vCPUs and
     * memory as hot-plug headroom.
     */
    public static VmConfig vm(VmLaunchSpec spec, int pciSegments, List<Integer> iommuSegments) {
        if (spec.cpus() < 1) throw new InvalidConfigException("cpus", "must be at least 1");
        if (spec.maxCpus() != 0 && spec.maxCpus() < spec.cpus())
            throw new InvalidConfigException("maxCpus", "must not be below cpus (" + spec.cpus() + ")");
        if (spec.memoryBytes() <= 0) throw new InvalidConfigException("memoryBytes", "must be positive");
        if (spec.maxMemoryBytes() != 0 && spec.maxMemoryBytes() < spec.memoryBytes())
            throw new InvalidConfigException("maxMemoryBytes", "must not be below memoryBytes");
        if (spec.kernel() == null || spec.kernel().isBlank()) throw new InvalidConfigException("kernel", "required");
        if (pciSegments < 1 || pciSegments > 16) throw new InvalidConfigException("pciSegments", "must be 1 to 16");
        for (Integer seg : iommuSegments)
            if (seg == null || seg < 0 || seg >= pciSegments)
                throw new InvalidConfigException("iommuSegments", "each must be one of the VM's segments 0 to " + (pciSegments - 1));
        int maxCpus = Math.max(spec.cpus(), spec.maxCpus());
        long hotplug = spec.maxMemoryBytes() > spec.memoryBytes() ? spec.maxMemoryBytes() - spec.memoryBytes() : 0;
        VmLimits limits = new VmLimits(spec.cpus(), pciSegments, iommuSegments, spec.sharedMemory());
        return new VmConfig(
                new CpusConfig(spec.cpus(), maxCpus),
                new MemoryConfig(spec.memoryBytes(), hotplug > 0 ? hotplug : null, null, spec.sharedMemory(), null),
                new PayloadConfig(null, spec.kernel(), spec.cmdline(), spec.initramfs()),
                spec.disks().isEmpty() ? null : spec.disks().stream().map(d -> disk(d, limits)).toList(),
                spec.filesystems().isEmpty() ? null : spec.filesystems().stream().map(SpecMapping::fs).toList(),
                spec.devices().isEmpty() ? null : spec.devices().stream().map(d -> device(d, limits)).toList(),
                ConsoleConfig.toFile(spec.consoleLog().toAbsolutePath().toString()),
                ConsoleConfig.off(),
                null,
                new PlatformConfig(pciSegments, iommuSegments.isEmpty() ? null : List.copyOf(iommuSegments)));
    }
}
