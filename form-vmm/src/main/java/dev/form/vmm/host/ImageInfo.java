package dev.form.vmm.host;

import dev.form.core.model.ImageFormat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link DiskImages#inspect} found in an image.
 *
 * @param path        canonical path
 * @param format      detected by magic: qcow2 ({@code QFI\xfb}), vhdx ({@code vhdxfile}), else raw
 * @param virtualSize the size the guest sees, in bytes (qcow2/vhdx: from the header; raw: the file size)
 * @param identity    device and inode of the file
 * @param backing     the inspected backing file of a qcow2 image (already checked against the host policy), or null
 */
public record ImageInfo(Path path, ImageFormat format, long virtualSize, ImageIdentity identity, ImageInfo backing) {

    /** Identities of the whole backing chain, nearest first (empty without a backing file). */
    public List<ImageIdentity> backingIdentities() {
        List<ImageIdentity> ids = new ArrayList<>();
        for (ImageInfo b = backing; b != null; b = b.backing) ids.add(b.identity);
        return List.copyOf(ids);
    }

    /** True when the image has a backing file (Cloud Hypervisor then needs {@code backing_files: true}). */
    public boolean hasBacking() {
        return backing != null;
    }
}
