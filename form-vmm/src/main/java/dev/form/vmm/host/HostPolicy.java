package dev.form.vmm.host;

import dev.form.vmm.ApiProblem;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the host lets requests touch, built from the service configuration, and the checks that enforce it.
 *
 * <p>Default policy (see {@link #defaults(Path)}), all below the data directory: disk images, kernels and
 * initramfs in {@code volumes/}, shared directories in {@code shares/}, sockets of foreign virtiofsd daemons
 * and of adopted Cloud Hypervisor VMs in {@code sockets/}, no PCI device, sysfs at /sys, VFIO groups at
 * /dev/vfio. The sockets of the virtiofsd daemons the service starts itself live in
 * {@code sockets/virtiofsd/} ({@link #managedSocketDir()}) and are never accepted as foreign sockets.
 *
 * <p>Every path check: the text must follow {@link PathSpelling}'s rules ({@code invalid_input}); a relative
 * path resolves under the first image directory (images) or the first share directory (shares); the path is
 * canonicalized as the kernel would (symlinks of the existing part resolved, {@code ..} applied after them);
 * no step may pass through /proc, /dev or /sys; and the result must lie strictly inside an allowed directory.
 * Policy refusals are {@code policy_denied} (403) with the field and the rule; a missing file or a wrong kind of
 * file (a directory where an image is expected) is {@code invalid_input}; device nodes, FIFOs and sockets where
 * a file is expected are {@code policy_denied}. Checks return the canonical path, which is what the caller must
 * use (and record) from then on. Another instance's image is refused on identity, not path, by
 * {@link ImageClaims#requireNotOwnedByOther} (which {@link DiskImages#prepare} applies).
 *
 * @param dataDir         the service's data directory (absolute)
 * @param imageDirs       where disk images, kernels, initramfs and root disks may live; the first is the base
 *                        for relative image paths
 * @param shareDirs       which directories may be shared over virtio-fs (a share must lie below one); the first is
 *                        the base for relative share paths
 * @param socketDir       where sockets of already running daemons named by a request must be
 * @param allowedDevices  PCI devices that may be passed through (empty: none)
 * @param sysfsRoot       the sysfs mount (/sys; a sysfs-shaped tree in tests)
 * @param vfioDevDir      where VFIO group device nodes appear (/dev/vfio; a plain directory in tests)
 */
public record HostPolicy(Path dataDir, List<Path> imageDirs, List<Path> shareDirs, Path socketDir,
                         Set<PciAddress> allowedDevices, Path sysfsRoot, Path vfioDevDir) {

    /** Unix socket paths longer than this do not fit sockaddr_un.sun_path (108 bytes with the NUL). */
    public static final int MAX_SOCKET_PATH_BYTES = 107;

    public HostPolicy {
        dataDir = absolute("dataDir", dataDir);
        imageDirs = absoluteList("imageDirs", imageDirs);
        shareDirs = absoluteList("shareDirs", shareDirs);
        socketDir = absolute("socketDir", socketDir);
        allowedDevices = Set.copyOf(Objects.requireNonNull(allowedDevices, "allowedDevices"));
        sysfsRoot = absolute("sysfsRoot", sysfsRoot);
        vfioDevDir = absolute("vfioDevDir", vfioDevDir);
    }

    /** The default policy for a data directory (see the class comment). */
    public static HostPolicy defaults(Path dataDir) {
        Path d = dataDir.toAbsolutePath().normalize();
        return new HostPolicy(d, List.of(d.resolve("volumes")), List.of(d.resolve("shares")), d.resolve("sockets"),
                Set.of(), Path.of("/sys"), Path.of("/dev/vfio"));
    }

    public HostPolicy withImageDirs(List<Path> dirs) {
        return new HostPolicy(dataDir, dirs, shareDirs, socketDir, allowedDevices, sysfsRoot, vfioDevDir);
    }

    public HostPolicy withShareDirs(List<Path> dirs) {
        return new HostPolicy(dataDir, imageDirs, dirs, socketDir, allowedDevices, sysfsRoot, vfioDevDir);
    }

    public HostPolicy withSocketDir(Path dir) {
        return new HostPolicy(dataDir, imageDirs, shareDirs, dir, allowedDevices, sysfsRoot, vfioDevDir);
    }

    public HostPolicy withAllowedDevices(Set<PciAddress> devices) {
        return new HostPolicy(dataDir, imageDirs, shareDirs, socketDir, devices, sysfsRoot, vfioDevDir);
    }

    public HostPolicy withSysfsRoot(Path root) {
        return new HostPolicy(dataDir, imageDirs, shareDirs, socketDir, allowedDevices, root, vfioDevDir);
    }

    public HostPolicy withVfioDevDir(Path dir) {
        return new HostPolicy(dataDir, imageDirs, shareDirs, socketDir, allowedDevices, sysfsRoot, dir);
    }

    /** Base directory for relative image paths: the first image directory ({@code <data>/volumes} by default). */
    public Path volumesDir() {
        return imageDirs.getFirst();
    }

    /** Base directory for relative share paths: the first share directory ({@code <data>/shares} by default). */
    public Path sharesDir() {
        return shareDirs.getFirst();
    }

    /** Where the virtiofsd daemons started by the service get their sockets and pid files. */
    public Path managedSocketDir() {
        return dataDir.resolve("sockets").resolve("virtiofsd");
    }

    /** Where helper daemons started by the service write their logs. */
    public Path logDir() {
        return dataDir.resolve("logs");
    }

    /**
     * An existing disk image (or kernel, initramfs, root disk): a regular file inside the image directories.
     *
     * @return the canonical path
     */
    public Path existingImage(String field, String requested) {
        PathConfinement.Resolved r = confine(field, requested, volumesDir(), imageDirs, "image directories");
        if (!r.exists()) {
            throw ApiProblem.invalid(field, "'" + show(requested) + "' does not exist (resolved to " + r.path() + ")",
                    "relative image paths resolve under " + volumesDir());
        }
        requireRegularFile(field, requested, r);
        return r.path();
    }

    /**
     * Where a disk image is or will be: inside the image directories, and either absent (to be created) or a
     * regular file.
     *
     * @return the canonical path (its parents may not exist yet)
     */
    public Path imageLocation(String field, String requested) {
        PathConfinement.Resolved r = confine(field, requested, volumesDir(), imageDirs, "image directories");
        if (r.exists()) requireRegularFile(field, requested, r);
        return r.path();
    }

    /**
     * A backing file named in a qcow2 header: resolved relative to the directory of {@code image} (as QEMU and
     * Cloud Hypervisor do), then held to the same rules as an existing image.
     */
    public Path backingFile(String field, Path image, String backingName) {
        PathSpelling.check(field, backingName);
        Path parent = image.getParent() == null ? Path.of("/") : image.getParent();
        PathConfinement.Resolved r;
        try {
            r = confine(field, backingName, parent, imageDirs, "image directories");
        } catch (ApiProblem e) {
            throw new ApiProblem(e.code(), image + " has backing file '" + show(backingName) + "': " + e.getMessage(),
                    field, e.hint(), null, null);
        }
        if (!r.exists()) {
            throw ApiProblem.invalid(field, image + " has backing file '" + show(backingName) + "', which does not exist ("
                    + r.path() + ")");
        }
        requireRegularFile(field, backingName, r);
        return r.path();
    }

    /** An existing directory strictly below one of the share directories. */
    public Path shareDirectory(String field, String requested) {
        PathConfinement.Resolved r = confine(field, requested, sharesDir(), shareDirs, "share directories");
        if (!r.exists()) {
            throw ApiProblem.invalid(field, "'" + show(requested) + "' does not exist (resolved to " + r.path() + ")",
                    "relative share paths resolve under " + sharesDir());
        }
        if (r.kind() != FileKind.DIRECTORY) {
            throw ApiProblem.invalid(field, "'" + show(requested) + "' is " + r.kind().description()
                    + ", not a directory: only directories can be shared");
        }
        return r.path();
    }

    /**
     * The socket of an already running daemon (a foreign virtiofsd for {@code add fs --socket}, or the API socket of
     * a Cloud Hypervisor VM to adopt): an existing Unix socket inside {@link #socketDir()}, not one of the sockets of
     * daemons the service supervises itself, and short enough for sockaddr_un. Relative paths resolve under
     * {@link #socketDir()}.
     */
    public Path foreignSocket(String field, String requested) {
        PathConfinement.Resolved r = confine(field, requested, socketDir, List.of(socketDir), "socket directory");
        if (r.path().startsWith(PathConfinement.canonicalRoot(managedSocketDir()))) {
            throw ApiProblem.policyDenied(field, "'" + show(requested) + "' is the socket of a virtiofsd the service"
                            + " supervises for another share; it cannot be used as a foreign socket",
                    "omit socket to let the service start a virtiofsd, or name your own daemon's socket in " + socketDir);
        }
        if (!r.exists()) {
            throw ApiProblem.invalid(field, "'" + show(requested) + "' does not exist (resolved to " + r.path()
                    + "): start the daemon first");
        }
        if (r.kind() != FileKind.SOCKET) {
            throw ApiProblem.invalid(field, "'" + show(requested) + "' is " + r.kind().description()
                    + ", not a Unix socket");
        }
        requireSocketPathFits(field, r.path());
        return r.path();
    }

    /** Refuses a PCI device the policy does not list. */
    public void requireDeviceAllowed(String field, PciAddress address) {
        if (!allowedDevices.contains(address)) {
            throw ApiProblem.policyDenied(field, "PCI device " + address + " is not in the host policy's allowed devices"
                            + (allowedDevices.isEmpty() ? " (none are allowed)" : " " + new TreeSet<>(allowedDevices)),
                    "an administrator must add " + address + " to the allowed PCI devices of the service config");
        }
    }

    /** Refuses a socket path that does not fit sockaddr_un (107 bytes). */
    static void requireSocketPathFits(String field, Path socket) {
        int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            throw ApiProblem.invalid(field, socket + " is " + bytes + " bytes long; Unix socket paths are limited to "
                    + MAX_SOCKET_PATH_BYTES + " bytes", "use a shorter data directory or socket path");
        }
    }

    private PathConfinement.Resolved confine(String field, String requested, Path base, List<Path> roots, String rule) {
        PathSpelling.check(field, requested);
        PathConfinement.Resolved r = PathConfinement.resolve(field, requested, PathConfinement.canonicalRoot(base));
        List<Path> canonicalRoots = roots.stream().map(PathConfinement::canonicalRoot).toList();
        if (!PathConfinement.strictlyInside(r.path(), canonicalRoots)) {
            throw ApiProblem.policyDenied(field, "'" + show(requested) + "' resolves to " + r.path()
                            + ", which is outside the host policy's " + rule + " " + canonicalRoots,
                    "put the file inside " + canonicalRoots.getFirst() + " (symbolic links are followed before this check)");
        }
        return r;
    }

    private static void requireRegularFile(String field, String requested, PathConfinement.Resolved r) {
        switch (r.kind()) {
            case REGULAR -> {
            }
            case DIRECTORY -> throw ApiProblem.invalid(field, "'" + show(requested) + "' is a directory, not an image file");
            default -> throw ApiProblem.policyDenied(field, "'" + show(requested) + "' is " + r.kind().description()
                            + "; only regular files are accepted as images (no device nodes, FIFOs or sockets)",
                    "use an image file; block devices are not passed through");
        }
    }

    private static String show(String s) {
        return PciAddress.printable(s);
    }

    private static Path absolute(String name, Path p) {
        Objects.requireNonNull(p, name);
        if (!p.isAbsolute()) throw new IllegalArgumentException(name + " must be an absolute path: " + p);
        return p.normalize();
    }

    private static List<Path> absoluteList(String name, List<Path> dirs) {
        Objects.requireNonNull(dirs, name);
        if (dirs.isEmpty()) throw new IllegalArgumentException(name + " must name at least one directory");
        return dirs.stream().map(p -> absolute(name, p)).toList();
    }
}
