package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.vmm.ApiProblem;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random paths built from '..', real symlinks (inside, outside, into /proc and /dev, loops), odd unicode and the
 * pseudo-filesystems, checked against the kernel's own resolution: an accepted path is exactly what the kernel
 * reaches and lies inside the allowed root; whatever the kernel would resolve outside is refused; and every refusal
 * is a clean ApiProblem on the field with a 400 or 403 code.
 */
class PathPolicyProperties {

    private static Path root;
    private static Path volumes;
    private static Path shares;
    private static HostPolicy policy;
    private static ImageIdentity ownedByOther;

    @BeforeContainer
    static void buildTree() throws Exception {
        root = Files.createTempDirectory("form-policy-").toRealPath();
        Path data = root.resolve("data");
        volumes = Files.createDirectories(data.resolve("volumes"));
        shares = Files.createDirectories(data.resolve("shares"));
        Files.createDirectories(data.resolve("sockets"));
        Files.createDirectories(root.resolve("elsewhere"));
        Files.writeString(root.resolve("outside.img"), "outside");
        Files.writeString(root.resolve("elsewhere/x.img"), "x");
        Files.writeString(volumes.resolve("a.img"), "a");
        Files.createDirectories(volumes.resolve("sub"));
        Files.writeString(volumes.resolve("sub/b.img"), "b");
        Files.writeString(volumes.resolve("theirs.img"), "owned by another instance");
        Files.createLink(volumes.resolve("sub/hard.img"), volumes.resolve("theirs.img"));
        ownedByOther = ImageIdentity.of(volumes.resolve("theirs.img"));
        Files.createDirectories(shares.resolve("docs/inner"));
        link(volumes, "link-in", "a.img");
        link(volumes, "link-theirs", "sub/hard.img");
        link(volumes, "link-out", "../../outside.img");
        link(volumes, "link-abs-out", "/etc/passwd");
        link(volumes, "link-proc", "/proc/self");
        link(volumes, "link-dev", "/dev");
        link(volumes, "link-root", "/");
        link(volumes, "link-dir-in", "sub");
        link(volumes, "link-dir-out", "../../elsewhere");
        link(volumes, "link-self", ".");
        link(volumes, "loop1", "loop2");
        link(volumes, "loop2", "loop1");
        link(volumes, "link-shares", "../shares");
        link(shares, "link-etc", "/etc");
        link(shares, "link-volumes", "../volumes");
        link(shares.resolve("docs"), "up", "../..");
        new ProcessBuilder("mkfifo", volumes.resolve("fifo.img").toString()).start().waitFor();
        policy = HostPolicy.defaults(data);
    }

    private static void link(Path dir, String name, String target) throws IOException {
        Files.createSymbolicLink(dir.resolve(name), Path.of(target));
    }

    @AfterContainer
    static void removeTree() throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Provide
    Arbitrary<String> imagePaths() {
        Arbitrary<String> segment = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.of("..", ".", "", "a.img", "sub", "b.img", "hard.img", "theirs.img",
                        "link-in", "link-theirs", "link-out", "link-abs-out", "link-proc", "link-dev", "link-root",
                        "link-dir-in", "link-dir-out", "link-self", "loop1", "link-shares", "fifo.img", "volumes", "data",
                        "shares", "docs", "outside.img", "elsewhere", "x.img", "missing", "etc", "passwd", "self",
                        "environ", "fd", "null", "root", "tmp")),
                net.jqwik.api.Tuple.of(2, oddName()));
        Arbitrary<String> prefix = Arbitraries.of("", "", "/", volumes + "/", root + "/", "/proc/self/root" + volumes + "/",
                "/dev/", "/proc/", "/sys/", shares + "/", "/tmp/../" + volumes.toString().substring(1) + "/");
        return Combinators.combine(prefix, segment.list().ofMinSize(0).ofMaxSize(7))
                .as((p, segs) -> p + String.join("/", segs))
                .filter(s -> !s.isEmpty());
    }

    /** Names with characters that must be refused, or accepted when harmless (precomposed letters, CJK). */
    private Arbitrary<String> oddName() {
        Arbitrary<Character> odd = Arbitraries.of('\u0000', '\u0007', '\n', '\u007f', '\u0085', '\u200b', '\u200d',
                '\u200e', '\u202a', '\u202e', '\u2066', '\u2069', '\ufeff', '\u00ad', '\u0301', '\u2028', '\ufffd',
                'é', '日', 'a', '-', '\\', ' ', ':');
        return odd.list().ofMinSize(1).ofMaxSize(4)
                .map(cs -> cs.stream().map(String::valueOf).reduce("", String::concat));
    }

    @Property(tries = 1500)
    void imagePathsNeverEscapeAndFailCleanly(@ForAll("imagePaths") String requested) {
        checkAgainstKernel(requested, volumes, r -> policy.imageLocation("path", r), "path");
    }

    @Property(tries = 1000)
    void sharePathsNeverEscapeAndFailCleanly(@ForAll("imagePaths") String requested) {
        String asShare = requested.replace("a.img", "docs").replace("sub", "inner");
        checkAgainstKernel(asShare, shares, r -> policy.shareDirectory("source", r), "source");
    }

    @Property(tries = 1000)
    void arbitraryUnicodeIsEitherAcceptedInsideOrRefusedCleanly(@ForAll String anything) {
        checkAgainstKernel(anything, volumes, r -> policy.imageLocation("path", r), "path");
    }

    /** Another instance's image is refused by identity, whichever spelling (symlink, hard link, '..') reaches it. */
    @Property(tries = 300)
    void anotherInstancesImageIsNeverHandedOut(@ForAll("imagePaths") String requested) {
        DiskImages images = new DiskImages(policy);
        PreparedImage prepared;
        try {
            prepared = images.prepare("mine", requested, null, true, Map.of(ownedByOther, "theirs")::get, List.of());
        } catch (ApiProblem p) {
            assertThat(p.field()).isIn("path", "sizeBytes");
            assertThat(p.code()).isIn(ErrorCode.INVALID_INPUT, ErrorCode.POLICY_DENIED);
            return;
        }
        assertThat(prepared.created()).isFalse();
        assertThat(prepared.info().identity()).isNotEqualTo(ownedByOther);
        assertThat(prepared.info().path().startsWith(volumes)).isTrue();
    }

    private static void checkAgainstKernel(String requested, Path allowedRoot, Function<String, Path> check, String field) {
        Path accepted;
        try {
            accepted = check.apply(requested);
        } catch (ApiProblem p) {
            assertThat(p.field()).isEqualTo(field);
            assertThat(p.code()).isIn(ErrorCode.INVALID_INPUT, ErrorCode.POLICY_DENIED);
            assertThat(p.getMessage()).isNotBlank();
            if (hasRefusedCharacter(requested)) assertThat(p.code()).isEqualTo(ErrorCode.INVALID_INPUT);
            return;
        } catch (RuntimeException e) {
            fail("not a clean ApiProblem for " + show(requested) + ": " + e);
            return;
        }
        assertThat(hasRefusedCharacter(requested)).as("accepted odd characters in %s", show(requested)).isFalse();
        assertThat(accepted.isAbsolute()).isTrue();
        assertThat(accepted.normalize()).isEqualTo(accepted);
        assertThat(accepted.startsWith(allowedRoot) && !accepted.equals(allowedRoot))
                .as("%s inside %s", accepted, allowedRoot).isTrue();
        assertThat(PathConfinement.underPseudo(accepted)).isFalse();
        Path kernelView = kernelRealPath(requested, allowedRoot);
        if (Files.exists(accepted, LinkOption.NOFOLLOW_LINKS)) {
            assertThat(kernelView).as("kernel resolution of %s", show(requested)).isEqualTo(accepted);
        }
    }

    /** Where the kernel itself lands for a path (relative to {@code base}), or null when it does not exist. */
    private static Path kernelRealPath(String requested, Path base) {
        try {
            Path p = Path.of(requested);
            return (p.isAbsolute() ? p : base.resolve(p)).toRealPath();
        } catch (Exception e) {
            return null;
        }
    }

    private static boolean hasRefusedCharacter(String s) {
        return s.codePoints().anyMatch(cp -> {
            int t = Character.getType(cp);
            return cp == 0 || t == Character.CONTROL || t == Character.FORMAT || t == Character.SURROGATE
                    || t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR || cp == 0xFFFD;
        }) || !java.text.Normalizer.isNormalized(s, java.text.Normalizer.Form.NFC);
    }

    private static String show(String s) {
        return PciAddress.printable(s);
    }

    @Property(tries = 1)
    void theTreeHasTheLinksTheOtherPropertiesRelyOn() throws IOException {
        assertThat(Files.readSymbolicLink(volumes.resolve("link-out"))).isEqualTo(Path.of("../../outside.img"));
        assertThat(Files.isSymbolicLink(volumes.resolve("loop1"))).isTrue();
        assertThat(ImageIdentity.of(volumes.resolve("sub/hard.img"))).isEqualTo(ownedByOther);
        assertThat(FileKind.of(volumes.resolve("fifo.img"))).isEqualTo(FileKind.FIFO);
        assertThat(Set.of(policy.volumesDir(), policy.sharesDir())).containsExactlyInAnyOrder(volumes, shares);
    }
}
