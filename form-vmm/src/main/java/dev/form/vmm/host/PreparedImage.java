package dev.form.vmm.host;

/**
 * A disk image ready to attach: its inspection, and whether {@link DiskImages#prepare} created it (then it belongs
 * to the instance, and {@link DiskImages#undo} deletes it if the attach fails).
 */
public record PreparedImage(ImageInfo info, boolean created) {
}
