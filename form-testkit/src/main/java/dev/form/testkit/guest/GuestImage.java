package dev.form.testkit.guest;

import java.nio.file.Path;
import java.util.List;

/**
 * A built test guest: a Debian cloud kernel and an initramfs whose /init reports on the serial
 * console (see {@link GuestLine}).
 *
 * @param kernel         the kernel (bzImage)
 * @param initramfs      the gzip-compressed newc cpio initramfs
 * @param kernelPackage  the Debian package the kernel came from, e.g. linux-image-6.1.0-56-cloud-amd64
 * @param kernelVersion  that package's version
 * @param busyboxVersion the busybox-static version inside
 */
public record GuestImage(Path kernel, Path initramfs, String kernelPackage, String kernelVersion, String busyboxVersion) {

    /**
     * The kernel command line for this guest. {@code tags} are the virtio-fs tags the guest tries
     * to mount when a share appears (Linux 6.1 cannot tell it a share's tag).
     */
    public String cmdline(String... tags) {
        return cmdline(List.of(tags));
    }

    public String cmdline(List<String> tags) {
        StringBuilder s = new StringBuilder("console=ttyS0 panic=-1 quiet memhp_default_state=online");
        if (!tags.isEmpty()) s.append(" form.tags=").append(String.join(",", tags));
        return s.toString();
    }
}
