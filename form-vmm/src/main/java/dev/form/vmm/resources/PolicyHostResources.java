package dev.form.vmm.resources;

import dev.form.core.api.AddDeviceRequest;
import dev.form.core.api.AddDiskRequest;
import dev.form.core.api.AddFsRequest;
import dev.form.core.api.AddResourceRequest;
import dev.form.core.api.ErrorCode;
import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ResourceKind;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.host.DeviceParameters;
import dev.form.vmm.host.DiskImages;
import dev.form.vmm.host.HostPolicy;
import dev.form.vmm.host.ImageAttachment;
import dev.form.vmm.host.ImageClaims;
import dev.form.vmm.host.ImageIdentity;
import dev.form.vmm.host.ImageInfo;
import dev.form.vmm.host.PciAddress;
import dev.form.vmm.host.PreparedImage;
import dev.form.vmm.host.ResourceIds;
import dev.form.vmm.host.VfioAssignment;
import dev.form.vmm.host.VfioDevice;
import dev.form.vmm.host.VfioDevices;
import dev.form.vmm.host.VirtiofsdHandle;
import dev.form.vmm.host.VirtiofsdSupervisor;
import dev.form.vmm.registry.ResourceRecord;
import dev.form.vmm.registry.ResourceSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link HostResources} over the host package: the policy, images, virtiofsd supervisor and VFIO checks. */
public final class PolicyHostResources implements HostResources {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyHostResources.class);

    private final HostPolicy policy;
    private final DiskImages images;
    private final VirtiofsdSupervisor virtiofsd;
    private final VfioDevices vfio;
    /** Daemons this service runs, by supervisor name. */
    private final Map<String, VirtiofsdHandle> daemons = new ConcurrentHashMap<>();

    public PolicyHostResources(HostPolicy policy, VirtiofsdSupervisor.Settings virtiofsdSettings) {
        this.policy = policy;
        this.images = new DiskImages(policy);
        this.virtiofsd = new VirtiofsdSupervisor(policy, virtiofsdSettings);
        this.vfio = new VfioDevices(policy);
    }

    public HostPolicy policy() {
        return policy;
    }

    @Override
    public String resourceId(ResourceKind kind, String field, String given, Set<String> taken) {
        return ResourceIds.choose(field, kind, given, taken);
    }

    @Override
    public void validate(InstanceFacts instance, AddResourceRequest request) {
        switch (request) {
            case AddDiskRequest d -> {
                if (d.diskId() != null) ResourceIds.requireGivenId("diskId", d.diskId());
                if (d.path() == null || d.path().isBlank()) throw ApiProblem.invalid("path", "path is required: the disk image on the host");
                DeviceParameters.numQueues("numQueues", d.numQueues(), instance.bootCpus());
                DeviceParameters.queueSize("queueSize", d.queueSize(), ResourceKind.DISK, instance.hypervisor());
                DeviceParameters.rateLimit("bandwidth", d.bandwidth());
                DeviceParameters.rateLimit("ops", d.ops());
            }
            case AddFsRequest f -> {
                if (f.fsId() != null) ResourceIds.requireGivenId("fsId", f.fsId());
                if (f.tag() == null) throw ApiProblem.invalid("tag", "tag is required: the name the guest mounts the share by");
                ResourceIds.requireTag("tag", f.tag(), List.of());
                if ((f.source() == null) == (f.socket() == null)) {
                    throw ApiProblem.invalid(f.source() == null ? "source" : "socket",
                            "give exactly one of source (a directory form serves with its own virtiofsd) and socket (a virtiofsd already running)");
                }
                DeviceParameters.numQueues("numQueues", f.numQueues(), Integer.MAX_VALUE);
                DeviceParameters.queueSize("queueSize", f.queueSize(), ResourceKind.FS, instance.hypervisor());
            }
            case AddDeviceRequest d -> {
                if (d.deviceId() != null) ResourceIds.requireGivenId("deviceId", d.deviceId());
                if (d.path() == null || d.path().isBlank()) throw ApiProblem.invalid("path", "path is required: a PCI address (0000:01:00.0) or its sysfs path");
            }
        }
    }

    @Override
    public Prepared prepareDisk(InstanceFacts instance, String id, AddDiskRequest r, List<ResourceRecord> live, List<BootDisk> bootDisks,
                                Function<ImageIdentity, String> removedImageCreator) {
        boolean readonly = Boolean.TRUE.equals(r.readonly());
        Map<ImageIdentity, String> owners = new HashMap<>();
        List<ImageAttachment> attachments = new ArrayList<>();
        List<String> serials = new ArrayList<>();
        for (ResourceRecord rr : live) {
            ResourceSpec s = rr.spec();
            if (s.disk() == null || s.imageIdentity() == null) continue;
            ImageIdentity identity = ImageIdentity.parse(s.imageIdentity());
            if (s.createdImage()) owners.put(identity, rr.instanceId());
            attachments.add(new ImageAttachment(rr.instanceId(), rr.id(), Path.of(s.disk().path()), identity, s.disk().readonly(),
                    s.backingIdentities().stream().map(ImageIdentity::parse).toList()));
            if (rr.instanceId().equals(instance.id()) && s.disk().serial() != null) serials.add(s.disk().serial());
        }
        for (BootDisk b : bootDisks) {
            ImageIdentity identity = identityOf(Path.of(b.disk().path()));
            if (identity != null) attachments.add(new ImageAttachment(b.instanceId(), b.disk().id(), Path.of(b.disk().path()), identity, b.disk().readonly()));
            if (b.instanceId().equals(instance.id()) && b.disk().serial() != null) serials.add(b.disk().serial());
        }
        String serial = ResourceIds.serial("serial", r.serial(), id, serials);
        Integer numQueues = DeviceParameters.numQueues("numQueues", r.numQueues(), instance.bootCpus());
        Integer queueSize = DeviceParameters.queueSize("queueSize", r.queueSize(), ResourceKind.DISK, instance.hypervisor());
        var bandwidth = DeviceParameters.rateLimit("bandwidth", r.bandwidth());
        var ops = DeviceParameters.rateLimit("ops", r.ops());
        PreparedImage prepared = images.prepare(instance.id(), r.path(), r.sizeBytes(), readonly,
                image -> owners.containsKey(image) ? owners.get(image) : removedImageCreator.apply(image), attachments);
        ImageInfo info = prepared.info();
        DiskSpec disk = new DiskSpec(id, info.path().toString(), info.format(), readonly, Boolean.TRUE.equals(r.direct()),
                Boolean.TRUE.equals(r.iommu()), serial, numQueues, queueSize, bandwidth, ops);
        ResourceSpec spec = ResourceSpec.ofDisk(disk, prepared.created(), info.virtualSize(), info.identity().toString(),
                info.backingIdentities().stream().map(ImageIdentity::toString).toList());
        return new Prepared(spec, () -> images.undo(prepared));
    }

    private static ImageIdentity identityOf(Path p) {
        try {
            return ImageIdentity.of(p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public Prepared prepareFs(InstanceFacts instance, String id, AddFsRequest r, boolean startDaemon, List<ResourceRecord> liveOnInstance) {
        if (!instance.sharedMemory()) {
            throw new ApiProblem(ErrorCode.WRONG_STATE, "the instance was created without shared memory, which virtio-fs needs: a share cannot be added to it",
                    "source", "create an instance with sharedMemory true (the default) to add shares to it", null, null);
        }
        List<String> tags = liveOnInstance.stream().filter(x -> x.spec().fs() != null && x.spec().fs().tag() != null)
                .map(x -> x.spec().fs().tag()).toList();
        String tag = ResourceIds.requireTag("tag", r.tag(), tags);
        Integer numQueues = DeviceParameters.numQueues("numQueues", r.numQueues(), instance.bootCpus());
        Integer queueSize = DeviceParameters.queueSize("queueSize", r.queueSize(), ResourceKind.FS, instance.hypervisor());
        if (r.socket() != null) {
            Path socket = policy.foreignSocket("socket", r.socket());
            return Prepared.withoutUndo(ResourceSpec.ofFs(new FsSpec(id, tag, socket.toString(), numQueues, queueSize), null, false));
        }
        Path source = policy.shareDirectory("source", r.source());
        String name = daemonName(instance.id(), id);
        if (!startDaemon) {
            Path socket = virtiofsd.socketOf(name);
            return Prepared.withoutUndo(ResourceSpec.ofFs(new FsSpec(id, tag, socket.toString(), numQueues, queueSize), source.toString(), true));
        }
        VirtiofsdHandle handle = virtiofsd.start(name, source);
        daemons.put(name, handle);
        ResourceSpec spec = ResourceSpec.ofFs(new FsSpec(id, tag, handle.socket().toString(), numQueues, queueSize), source.toString(), true);
        return new Prepared(spec, () -> stopDaemon(name));
    }

    @Override
    public Prepared prepareDevice(InstanceFacts instance, String id, AddDeviceRequest r, List<ResourceRecord> live) {
        List<VfioAssignment> current = new ArrayList<>();
        for (ResourceRecord rr : live) {
            DeviceSpec d = rr.spec().device();
            if (d == null || d.pciAddress() == null) continue;
            current.add(new VfioAssignment(rr.instanceId(), rr.id(), PciAddress.parse("path", d.pciAddress())));
        }
        VfioDevice device = vfio.resolve("path", r.path(), instance.id(), current);
        return Prepared.withoutUndo(ResourceSpec.ofDevice(device.toSpec(id, Boolean.TRUE.equals(r.iommu()))));
    }

    @Override
    public Prepared reactivate(String instanceId, ResourceSpec spec) {
        if (spec.fs() == null || !spec.ownDaemon()) return Prepared.withoutUndo(spec);
        String name = daemonName(instanceId, spec.fs().id());
        stopDaemon(name); // a daemon of the previous process serves nobody now
        VirtiofsdHandle handle = virtiofsd.start(name, Path.of(spec.shareSource()));
        daemons.put(name, handle);
        FsSpec fs = new FsSpec(spec.fs().id(), spec.fs().tag(), handle.socket().toString(), spec.fs().numQueues(), spec.fs().queueSize());
        return new Prepared(ResourceSpec.ofFs(fs, spec.shareSource(), true), () -> stopDaemon(name));
    }

    @Override
    public boolean takeOver(String instanceId, ResourceSpec spec) {
        if (spec.fs() == null || !spec.ownDaemon()) return true;
        String name = daemonName(instanceId, spec.fs().id());
        try {
            daemons.put(name, virtiofsd.adopt(name));
            return true;
        } catch (ApiProblem e) {
            return false;
        }
    }

    @Override
    public void release(String instanceId, ResourceSpec spec) {
        if (spec.fs() != null && spec.ownDaemon()) stopDaemon(daemonName(instanceId, spec.fs().id()));
    }

    @Override
    public void purge(String instanceId, ResourceSpec spec) {
        if (spec.disk() == null || !spec.createdImage() || spec.disk().path() == null) return;
        try {
            Files.deleteIfExists(Path.of(spec.disk().path()));
        } catch (IOException e) {
            LOG.warn("could not purge {}: {}", spec.disk().path(), e.getMessage());
        }
    }

    private void stopDaemon(String name) {
        VirtiofsdHandle handle = daemons.remove(name);
        if (handle == null) {
            try {
                handle = virtiofsd.adopt(name);
            } catch (ApiProblem notRunning) {
                return;
            }
        }
        try {
            virtiofsd.stop(handle);
        } catch (RuntimeException e) {
            LOG.warn("stopping virtiofsd {} failed: {}", name, e.getMessage());
        }
    }

    private static String daemonName(String instanceId, String fsId) {
        return instanceId + "-" + fsId;
    }

    @Override
    public Path bootFile(String field, String requested) {
        return policy.existingImage(field, requested);
    }

    @Override
    public BootDisk bootDisk(String instanceId, String field, String id, String requested, List<ResourceRecord> live, List<BootDisk> otherBootDisks) {
        Path path = policy.existingImage(field, requested);
        ImageInfo info = images.inspect(field, path);
        List<ImageAttachment> attachments = new ArrayList<>();
        Map<ImageIdentity, String> owners = new HashMap<>();
        for (ResourceRecord rr : live) {
            ResourceSpec s = rr.spec();
            if (s.disk() == null || s.imageIdentity() == null) continue;
            ImageIdentity identity = ImageIdentity.parse(s.imageIdentity());
            if (s.createdImage()) owners.put(identity, rr.instanceId());
            attachments.add(new ImageAttachment(rr.instanceId(), rr.id(), Path.of(s.disk().path()), identity, s.disk().readonly(),
                    s.backingIdentities().stream().map(ImageIdentity::parse).toList()));
        }
        for (BootDisk b : otherBootDisks) {
            ImageIdentity identity = identityOf(Path.of(b.disk().path()));
            if (identity != null) attachments.add(new ImageAttachment(b.instanceId(), b.disk().id(), Path.of(b.disk().path()), identity, false));
        }
        ImageClaims.requireNotOwnedByOther(field, info, instanceId, owners::get);
        ImageClaims.requireAttachable(field, info, false, attachments);
        DiskSpec disk = new DiskSpec(id, info.path().toString(), info.format(), false, false, false, ResourceIds.defaultSerial(id),
                null, null, null, null);
        return new BootDisk(instanceId, disk, info.identity().toString());
    }

    @Override
    public Path adoptSocket(String field, String requested) {
        return policy.foreignSocket(field, requested);
    }

    @Override
    public Path runDir(String instanceId) {
        return policy.dataDir().resolve("run").resolve(instanceId);
    }

    @Override
    public Path consoleLog(String instanceId) {
        return policy.dataDir().resolve("consoles").resolve(instanceId + ".log");
    }
}
