package dev.form.testkit.guest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds form's test guest from Debian packages without installing them on the host: the cloud
 * kernel (it boots under TCG in about 3 s) and an initramfs of busybox-static, the eight virtio
 * modules and a reporting /init. The result is cached under {@code $FORM_CACHE_DIR/guest} (or
 * {@code ~/.cache/form/guest}) in a directory named by the package versions and a hash of the
 * init script, and rebuilt only when that directory is missing.
 */
public final class TestGuest {

    static final String KERNEL_META_PACKAGE = "linux-image-cloud-amd64";
    static final String BUSYBOX_PACKAGE = "busybox-static";
    /** The order matters: the .deb ships no modules.dep, so dependencies come first. */
    public static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_pci_legacy_dev",
            "virtio_pci_modern_dev", "virtio_pci", "virtio_blk", "fuse", "virtiofs");
    private static final String KERNEL_FILE = "vmlinuz";
    private static final String INITRAMFS_FILE = "initramfs.cpio.gz";
    private static final String VERSIONS_FILE = "versions.txt";

    private TestGuest() {
    }

    /** Builds (or finds in the cache) the guest. */
    public static GuestImage build() {
        return build(defaultCacheDir());
    }

    public static Path defaultCacheDir() {
        String env = System.getenv("FORM_CACHE_DIR");
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().resolve("guest");
        return Path.of(System.getProperty("user.home"), ".cache", "form", "guest");
    }

    public static GuestImage build(Path cacheDir) {
        String initHash = initHash();
        String kernelVersion;
        String busyboxVersion;
        try {
            kernelVersion = DebianPackages.candidateVersion(KERNEL_META_PACKAGE);
            busyboxVersion = DebianPackages.candidateVersion(BUSYBOX_PACKAGE);
        } catch (GuestBuildException e) {
            // No package lists (offline machine, no apt): any complete build of this init script will do.
            return newestCached(cacheDir, initHash).orElseThrow(() -> e);
        }
        Path dir = cacheDir.resolve(safe(kernelVersion) + "_" + safe(busyboxVersion) + "_" + initHash);
        Optional<GuestImage> cached = load(dir);
        if (cached.isPresent()) return cached.get();
        return buildInto(dir, kernelVersion, busyboxVersion);
    }

    private static GuestImage buildInto(Path dir, String kernelVersion, String busyboxVersion) {
        Path work;
        try {
            Files.createDirectories(dir.getParent());
            work = Files.createTempDirectory(dir.getParent(), ".build-");
        } catch (IOException e) {
            throw new GuestBuildException("cannot create the guest cache under " + dir.getParent() + ": " + e.getMessage(), e);
        }
        try {
            String imagePackage = DebianPackages.dependency(KERNEL_META_PACKAGE, "linux-image-");
            Path debs = work.resolve("debs");
            Path kernelDeb = DebianPackages.download(imagePackage, debs);
            Path busyboxDeb = DebianPackages.download(BUSYBOX_PACKAGE, debs);
            Path tree = work.resolve("tree");
            DebianPackages.extract(kernelDeb, tree, List.of("./boot/vmlinuz-*",
                    "./lib/modules/*/kernel/drivers/virtio/*", "./lib/modules/*/kernel/drivers/block/virtio_blk.ko*",
                    "./lib/modules/*/kernel/fs/fuse/*"));
            DebianPackages.extract(busyboxDeb, tree, List.of("./bin/busybox"));
            Path vmlinuz = findOne(tree.resolve("boot"), name -> name.startsWith("vmlinuz-"), "the kernel (boot/vmlinuz-*) in " + imagePackage);
            Files.copy(vmlinuz, work.resolve(KERNEL_FILE));
            writeInitramfs(work.resolve(INITRAMFS_FILE), tree);
            Files.writeString(work.resolve(VERSIONS_FILE), "kernel-package=" + imagePackage + "\nkernel-version=" + kernelVersion
                    + "\nbusybox-version=" + busyboxVersion + "\n", StandardCharsets.UTF_8);
            deleteTree(debs);
            deleteTree(tree);
            try {
                Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // Another build finished first: its result is as good as ours.
                if (load(dir).isEmpty()) throw raced;
                deleteTree(work);
            }
            return load(dir).orElseThrow(() -> new GuestBuildException("the guest build in " + dir + " is incomplete"));
        } catch (IOException e) {
            deleteQuietly(work);
            throw new GuestBuildException("building the test guest failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(work);
            throw e;
        }
    }

    private static void writeInitramfs(Path target, Path tree) throws IOException {
        Path busybox = tree.resolve("bin/busybox");
        if (!Files.isRegularFile(busybox)) throw new GuestBuildException("busybox-static has no bin/busybox");
        try (OutputStream file = Files.newOutputStream(target);
             CpioWriter cpio = new CpioWriter(new GZIPOutputStream(file, 64 * 1024))) {
            for (String d : List.of("bin", "dev", "proc", "sys", "mnt", "tmp", "lib", "lib/modules")) cpio.directory(d, 0755);
            cpio.charDevice("dev/console", 0600, 5, 1);
            cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
            cpio.symlink("bin/sh", "busybox");
            cpio.file("init", 0755, initScript().getBytes(StandardCharsets.UTF_8));
            Path modules = tree.resolve("lib/modules");
            for (String m : MODULES) {
                Path ko = findOne(modules, name -> name.equals(m + ".ko"), "module " + m + ".ko (compressed modules are not supported)");
                cpio.file("lib/modules/" + m + ".ko", 0644, Files.readAllBytes(ko));
            }
        }
    }

    /** The guest's /init, with the module list filled in. */
    static String initScript() {
        try (InputStream in = TestGuest.class.getResourceAsStream("init.sh")) {
            if (in == null) throw new GuestBuildException("init.sh is missing from form-testkit's resources");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@MODULES@", String.join(" ", MODULES));
        } catch (IOException e) {
            throw new GuestBuildException("cannot read init.sh: " + e.getMessage(), e);
        }
    }

    static String initHash() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(initScript().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<GuestImage> load(Path dir) {
        Path kernel = dir.resolve(KERNEL_FILE);
        Path initramfs = dir.resolve(INITRAMFS_FILE);
        Path versions = dir.resolve(VERSIONS_FILE);
        if (!Files.isRegularFile(kernel) || !Files.isRegularFile(initramfs) || !Files.isRegularFile(versions)) return Optional.empty();
        try {
            String pkg = "", kv = "", bv = "";
            for (String line : Files.readAllLines(versions)) {
                if (line.startsWith("kernel-package=")) pkg = line.substring(15);
                if (line.startsWith("kernel-version=")) kv = line.substring(15);
                if (line.startsWith("busybox-version=")) bv = line.substring(16);
            }
            return Optional.of(new GuestImage(kernel, initramfs, pkg, kv, bv));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<GuestImage> newestCached(Path cacheDir, String initHash) {
        if (!Files.isDirectory(cacheDir)) return Optional.empty();
        try (Stream<Path> dirs = Files.list(cacheDir)) {
            return dirs.filter(d -> d.getFileName().toString().endsWith("_" + initHash))
                    .sorted(Comparator.comparing(TestGuest::modified).reversed())
                    .map(TestGuest::load).flatMap(Optional::stream).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static Path findOne(Path root, java.util.function.Predicate<String> name, String what) throws IOException {
        if (!Files.isDirectory(root)) throw new GuestBuildException("not found: " + what);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(f -> name.test(f.getFileName().toString())).findFirst()
                    .orElseThrow(() -> new GuestBuildException("not found: " + what));
        }
    }

    private static String safe(String version) {
        return version.replaceAll("[^A-Za-z0-9.+-]", "-");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static void deleteQuietly(Path root) {
        try {
            deleteTree(root);
        } catch (IOException ignored) {
            // a half-built directory under a dot name is ignored by later builds
        }
    }

    /**
     * Builds the guest and prints shell assignments: FORM_GUEST_KERNEL, FORM_GUEST_INITRAMFS and
     * FORM_GUEST_CMDLINE (with the tags given as arguments). Exit code 2 when the build fails.
     */
    public static void main(String[] args) {
        try {
            GuestImage g = build();
            System.out.println("FORM_GUEST_KERNEL=" + g.kernel());
            System.out.println("FORM_GUEST_INITRAMFS=" + g.initramfs());
            System.out.println("FORM_GUEST_CMDLINE='" + g.cmdline(List.of(args)) + "'");
        } catch (GuestBuildException e) {
            System.err.println("form: cannot build the test guest: " + e.getMessage());
            System.exit(2);
        }
    }
}
