package dev.form.vmm.registry;

import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ResourceKind;

import java.util.List;

/**
 * What one hot-added resource is, as recorded: exactly one of the driver specs, plus the host-side
 * facts needed to prepare it again when the VM is re-created and to release it on removal.
 *
 * @param createdImage       the service created the disk image for this instance (it belongs to it)
 * @param sizeBytes          the image's virtual size when known
 * @param imageIdentity      device:inode of the disk image (see dev.form.vmm.host.ImageIdentity)
 * @param backingIdentities  device:inode of each file in the image's backing chain
 * @param shareSource        the shared host directory of a virtio-fs share served by a daemon form runs
 * @param ownDaemon          form started (and must stop) the virtiofsd; false when the caller gave a socket
 * @param adopted            found on an adopted VM: form knows its id only
 */
public record ResourceSpec(DiskSpec disk, FsSpec fs, DeviceSpec device, boolean createdImage, Long sizeBytes,
                           String imageIdentity, List<String> backingIdentities,
                           String shareSource, boolean ownDaemon, boolean adopted) {
    public ResourceSpec {
        backingIdentities = backingIdentities == null ? List.of() : List.copyOf(backingIdentities);
    }

    public ResourceKind kind() {
        if (disk != null) return ResourceKind.DISK;
        if (fs != null) return ResourceKind.FS;
        return ResourceKind.DEVICE;
    }

    public String deviceId() {
        return disk != null ? disk.id() : fs != null ? fs.id() : device.id();
    }

    public static ResourceSpec ofDisk(DiskSpec disk, boolean createdImage, Long sizeBytes, String identity, List<String> backing) {
        return new ResourceSpec(disk, null, null, createdImage, sizeBytes, identity, backing, null, false, false);
    }

    public static ResourceSpec ofFs(FsSpec fs, String shareSource, boolean ownDaemon) {
        return new ResourceSpec(null, fs, null, false, null, null, List.of(), shareSource, ownDaemon, false);
    }

    public static ResourceSpec ofDevice(DeviceSpec device) {
        return new ResourceSpec(null, null, device, false, null, null, List.of(), null, false, false);
    }

    public ResourceSpec asAdopted() {
        return new ResourceSpec(disk, fs, device, createdImage, sizeBytes, imageIdentity, backingIdentities, shareSource, ownDaemon, true);
    }
}
