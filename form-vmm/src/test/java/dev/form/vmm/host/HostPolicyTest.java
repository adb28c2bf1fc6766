package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.vmm.ApiProblem;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static java.net.StandardProtocolFamily.UNIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPolicyTest {

    @TempDir
    Path tmp;

    private Path data;
    private Path volumes;
    private Path shares;
    private HostPolicy policy;

    @BeforeEach
    void setUp() throws IOException {
        data = tmp.resolve("data");
        volumes = Files.createDirectories(data.resolve("volumes"));
        shares = Files.createDirectories(data.resolve("shares"));
        Files.createDirectories(data.resolve("sockets"));
        Files.writeString(volumes.resolve("a.img"), "raw");
        Files.createDirectories(shares.resolve("docs"));
        Files.writeString(tmp.resolve("outside.img"), "secret");
        policy = HostPolicy.defaults(data);
    }

    private static void refused(ThrowingCallable call, String field, ErrorCode code, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo(field);
            assertThat(p.code()).isEqualTo(code);
            assertThat(p.getMessage()).contains(messagePart);
        });
    }

    @Test
    void defaultsLiveUnderTheDataDirectory() {
        assertThat(policy.imageDirs()).containsExactly(volumes);
        assertThat(policy.shareDirs()).containsExactly(shares);
        assertThat(policy.socketDir()).isEqualTo(data.resolve("sockets"));
        assertThat(policy.managedSocketDir()).isEqualTo(data.resolve("sockets/virtiofsd"));
        assertThat(policy.allowedDevices()).isEmpty();
        assertThat(policy.sysfsRoot()).isEqualTo(Path.of("/sys"));
        assertThat(policy.vfioDevDir()).isEqualTo(Path.of("/dev/vfio"));
    }

    @Test
    void relativeImagePathsResolveUnderVolumes() throws IOException {
        Files.createDirectories(volumes.resolve("x"));
        assertThat(policy.existingImage("path", "a.img")).isEqualTo(volumes.resolve("a.img"));
        assertThat(policy.existingImage("path", "./x/../a.img")).isEqualTo(volumes.resolve("a.img"));
        assertThat(policy.existingImage("path", volumes + "/a.img")).isEqualTo(volumes.resolve("a.img"));
        assertThat(policy.imageLocation("path", "new/b.img")).isEqualTo(volumes.resolve("new/b.img"));
    }

    @Test
    void pathsLeavingTheImageDirectoriesAreDenied() {
        refused(() -> policy.existingImage("path", "../../outside.img"), "path", ErrorCode.POLICY_DENIED,
                "outside the host policy's image directories");
        refused(() -> policy.existingImage("path", tmp + "/outside.img"), "path", ErrorCode.POLICY_DENIED, "outside");
        refused(() -> policy.existingImage("path", "/etc/passwd"), "path", ErrorCode.POLICY_DENIED, "outside");
        refused(() -> policy.imageLocation("path", volumes.toString()), "path", ErrorCode.POLICY_DENIED, "outside");
    }

    @Test
    void symlinksAreResolvedBeforeTheCheck() throws IOException {
        Files.createSymbolicLink(volumes.resolve("escape.img"), tmp.resolve("outside.img"));
        Files.createSymbolicLink(volumes.resolve("inside.img"), Path.of("a.img"));
        Files.createDirectories(tmp.resolve("elsewhere/sub"));
        Files.createSymbolicLink(volumes.resolve("dirlink"), tmp.resolve("elsewhere/sub"));
        // dirlink/.. is the parent of the link's target (tmp/elsewhere), not volumes/
        Files.writeString(tmp.resolve("elsewhere/a.img"), "x");

        refused(() -> policy.existingImage("path", "escape.img"), "path", ErrorCode.POLICY_DENIED,
                "resolves to " + tmp.resolve("outside.img"));
        assertThat(policy.existingImage("path", "inside.img")).isEqualTo(volumes.resolve("a.img"));
        refused(() -> policy.existingImage("path", "dirlink/../a.img"), "path", ErrorCode.POLICY_DENIED,
                "resolves to " + tmp.resolve("elsewhere/a.img"));
    }

    @Test
    void symlinkLoopsAreAnInvalidPath() throws IOException {
        Files.createSymbolicLink(volumes.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(volumes.resolve("loop2"), Path.of("loop1"));
        refused(() -> policy.existingImage("path", "loop1"), "path", ErrorCode.INVALID_INPUT, "symbolic links");
    }

    @Test
    void kernelPseudoFilesystemsAreDeniedEvenOnTheWayToAllowedFiles() throws IOException {
        refused(() -> policy.existingImage("path", "/dev/sda"), "path", ErrorCode.POLICY_DENIED, "pseudo-filesystems");
        refused(() -> policy.existingImage("path", "/proc/self/environ"), "path", ErrorCode.POLICY_DENIED, "/proc");
        refused(() -> policy.existingImage("path", "/sys/kernel/notes"), "path", ErrorCode.POLICY_DENIED, "/sys");
        // /proc/self/root is "/", so this would land on an allowed file: still refused
        refused(() -> policy.existingImage("path", "/proc/self/root" + volumes + "/a.img"), "path",
                ErrorCode.POLICY_DENIED, "/proc");
        Files.createSymbolicLink(volumes.resolve("null.img"), Path.of("/dev/null"));
        refused(() -> policy.existingImage("path", "null.img"), "path", ErrorCode.POLICY_DENIED, "reaches /dev");
        Files.createSymbolicLink(volumes.resolve("fd"), Path.of("/proc/self/fd"));
        refused(() -> policy.existingImage("path", "fd/0"), "path", ErrorCode.POLICY_DENIED, "/proc");
    }

    /** A pseudo-filesystem mounted inside an allowed directory is still refused, by its file system type. */
    @Test
    void procMountedInsideVolumesIsRefusedByFileSystemType() throws Exception {
        Path mountPoint = Files.createDirectories(volumes.resolve("p"));
        Process mount = new ProcessBuilder("mount", "-t", "proc", "proc", mountPoint.toString()).redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0,
                "mounting proc needs CAP_SYS_ADMIN: " + new String(mount.getInputStream().readAllBytes()));
        try {
            refused(() -> policy.existingImage("path", "p/self/environ"), "path", ErrorCode.POLICY_DENIED, "lies on a proc file system");
            refused(() -> policy.existingImage("path", "p/cmdline"), "path", ErrorCode.POLICY_DENIED, "proc");
            refused(() -> policy.imageLocation("path", "p/new.img"), "path", ErrorCode.POLICY_DENIED, "proc");
        } finally {
            assertThat(new ProcessBuilder("umount", mountPoint.toString()).start().waitFor()).isZero();
        }
    }

    @Test
    void onlyRegularFilesAreImages() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", volumes.resolve("pipe.img").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        try (ServerSocketChannel s = ServerSocketChannel.open(UNIX)) {
            s.bind(UnixDomainSocketAddress.of(volumes.resolve("sock.img")));
            refused(() -> policy.existingImage("path", "sock.img"), "path", ErrorCode.POLICY_DENIED, "a Unix socket");
        }
        refused(() -> policy.existingImage("path", "pipe.img"), "path", ErrorCode.POLICY_DENIED, "a FIFO");
        refused(() -> policy.imageLocation("path", "pipe.img"), "path", ErrorCode.POLICY_DENIED, "a FIFO");
        Files.createDirectories(volumes.resolve("dir.img"));
        refused(() -> policy.existingImage("path", "dir.img"), "path", ErrorCode.INVALID_INPUT, "is a directory");
        refused(() -> policy.existingImage("path", "missing.img"), "path", ErrorCode.INVALID_INPUT, "does not exist");
        refused(() -> policy.existingImage("path", "a.img/x"), "path", ErrorCode.INVALID_INPUT, "not a directory");
    }

    @Test
    void dotDotAfterAMissingComponentIsRefused() {
        refused(() -> policy.imageLocation("path", "nope/../a.img"), "path", ErrorCode.INVALID_INPUT, "does not exist");
    }

    @Test
    void oddUnicodeIsRefusedWithTheCodePoint() {
        refused(() -> policy.existingImage("path", "a\u0000.img"), "path", ErrorCode.INVALID_INPUT, "NUL");
        refused(() -> policy.existingImage("path", "a\n.img"), "path", ErrorCode.INVALID_INPUT, "U+000A");
        refused(() -> policy.existingImage("path", "gpj.\u202Eexe"), "path", ErrorCode.INVALID_INPUT, "U+202E");
        refused(() -> policy.existingImage("path", "a\u200B.img"), "path", ErrorCode.INVALID_INPUT, "U+200B");
        refused(() -> policy.existingImage("path", "a\u2066.img"), "path", ErrorCode.INVALID_INPUT, "bidi");
        refused(() -> policy.existingImage("path", "a\uFEFF.img"), "path", ErrorCode.INVALID_INPUT, "U+FEFF");
        refused(() -> policy.existingImage("path", "a\uD800.img"), "path", ErrorCode.INVALID_INPUT, "unpaired surrogate");
        refused(() -> policy.existingImage("path", "a\uFFFD.img"), "path", ErrorCode.INVALID_INPUT, "replacement");
        refused(() -> policy.existingImage("path", "a\u2028.img"), "path", ErrorCode.INVALID_INPUT, "separator");
        refused(() -> policy.existingImage("path", "cafe\u0301.img"), "path", ErrorCode.INVALID_INPUT, "normalization form C");
        refused(() -> policy.existingImage("path", ""), "path", ErrorCode.INVALID_INPUT, "required");
        refused(() -> policy.existingImage("path", "x".repeat(256)), "path", ErrorCode.INVALID_INPUT, "255 bytes");
        refused(() -> policy.existingImage("path", "a/".repeat(2100)), "path", ErrorCode.INVALID_INPUT, "4095 bytes");
    }

    @Test
    void precomposedUnicodeNamesAreFine() throws IOException {
        Files.writeString(volumes.resolve("café-日本.img"), "x");
        assertThat(policy.existingImage("path", "café-日本.img")).isEqualTo(volumes.resolve("café-日本.img"));
    }

    @Test
    void sharesMustBeDirectoriesStrictlyInsideTheShareDirectories() throws IOException {
        assertThat(policy.shareDirectory("source", "docs")).isEqualTo(shares.resolve("docs"));
        assertThat(policy.shareDirectory("source", shares + "/docs/")).isEqualTo(shares.resolve("docs"));
        refused(() -> policy.shareDirectory("source", shares.toString()), "source", ErrorCode.POLICY_DENIED, "outside");
        refused(() -> policy.shareDirectory("source", "/etc"), "source", ErrorCode.POLICY_DENIED, "share directories");
        refused(() -> policy.shareDirectory("source", "/"), "source", ErrorCode.POLICY_DENIED, "outside");
        refused(() -> policy.shareDirectory("source", "missing"), "source", ErrorCode.INVALID_INPUT, "does not exist");
        Files.writeString(shares.resolve("file"), "x");
        refused(() -> policy.shareDirectory("source", "file"), "source", ErrorCode.INVALID_INPUT, "not a directory");
        Files.createSymbolicLink(shares.resolve("etc"), Path.of("/etc"));
        refused(() -> policy.shareDirectory("source", "etc"), "source", ErrorCode.POLICY_DENIED, "resolves to /etc");
    }

    @Test
    void foreignSocketsMustBeSocketsInTheSocketDirectoryButNotManagedOnes() throws Exception {
        Path sockets = data.resolve("sockets");
        Files.createDirectories(policy.managedSocketDir());
        try (ServerSocketChannel mine = ServerSocketChannel.open(UNIX);
             ServerSocketChannel managed = ServerSocketChannel.open(UNIX);
             ServerSocketChannel elsewhere = ServerSocketChannel.open(UNIX)) {
            mine.bind(UnixDomainSocketAddress.of(sockets.resolve("vfs.sock")));
            managed.bind(UnixDomainSocketAddress.of(policy.managedSocketDir().resolve("other-fs1.sock")));
            elsewhere.bind(UnixDomainSocketAddress.of(tmp.resolve("x.sock")));

            assertThat(policy.foreignSocket("socket", sockets + "/vfs.sock")).isEqualTo(sockets.resolve("vfs.sock"));
            assertThat(policy.foreignSocket("socket", "vfs.sock")).isEqualTo(sockets.resolve("vfs.sock"));
            refused(() -> policy.foreignSocket("socket", "virtiofsd/other-fs1.sock"), "socket", ErrorCode.POLICY_DENIED,
                    "supervises");
            refused(() -> policy.foreignSocket("socket", tmp + "/x.sock"), "socket", ErrorCode.POLICY_DENIED, "socket directory");
            Files.writeString(sockets.resolve("plain"), "x");
            refused(() -> policy.foreignSocket("socket", "plain"), "socket", ErrorCode.INVALID_INPUT, "not a Unix socket");
            refused(() -> policy.foreignSocket("socket", "gone.sock"), "socket", ErrorCode.INVALID_INPUT, "start the daemon first");
        }
    }

    @Test
    void otherConfiguredDirectoriesWork() throws IOException {
        Path images = Files.createDirectories(tmp.resolve("srv/images"));
        Files.writeString(images.resolve("k.img"), "x");
        HostPolicy custom = policy.withImageDirs(List.of(images, volumes));
        assertThat(custom.existingImage("kernel", "k.img")).isEqualTo(images.resolve("k.img"));
        assertThat(custom.existingImage("kernel", volumes + "/a.img")).isEqualTo(volumes.resolve("a.img"));
        refused(() -> policy.existingImage("kernel", images + "/k.img"), "kernel", ErrorCode.POLICY_DENIED, "outside");
    }

    @Test
    void devicesMustBeListed() {
        PciAddress a = PciAddress.parse("path", "0000:01:00.0");
        refused(() -> policy.requireDeviceAllowed("path", a), "path", ErrorCode.POLICY_DENIED, "none are allowed");
        policy.withAllowedDevices(Set.of(a)).requireDeviceAllowed("path", a);
        refused(() -> policy.withAllowedDevices(Set.of(a)).requireDeviceAllowed("path", PciAddress.parse("path", "0000:02:00.0")),
                "path", ErrorCode.POLICY_DENIED, "[0000:01:00.0]");
    }

    @Test
    void configMustUseAbsolutePaths() {
        assertThatThrownBy(() -> policy.withSocketDir(Path.of("relative"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("socketDir must be an absolute path");
    }
}
