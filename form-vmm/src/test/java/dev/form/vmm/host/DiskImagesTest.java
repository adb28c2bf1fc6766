package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.core.model.ImageFormat;
import dev.form.testkit.Prerequisites;
import dev.form.vmm.ApiProblem;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Images made by the real qemu-img (qcow2 v2/v3, backing files, external data files, VHDX) and by hand. */
class DiskImagesTest {

    private static final long MIB = 1024 * 1024;
    private static final Function<ImageIdentity, String> NO_OWNER = image -> null;

    @TempDir
    Path tmp;

    private Path volumes;
    private HostPolicy policy;
    private DiskImages images;

    @BeforeEach
    void setUp() throws IOException {
        Path data = tmp.resolve("data");
        volumes = Files.createDirectories(data.resolve("volumes"));
        policy = HostPolicy.defaults(data);
        images = new DiskImages(policy);
    }

    private void qemuImg(String... args) throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img (package qemu-utils)");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/qemu-img"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(volumes.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("qemu-img %s: %s", String.join(" ", args), out).isZero();
    }

    private ImageInfo inspect(String name) {
        return images.inspect(policy.existingImage("path", name));
    }

    private static void refused(ThrowingCallable call, String field, ErrorCode code, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo(field);
            assertThat(p.code()).isEqualTo(code);
            assertThat(p.getMessage()).contains(messagePart);
        });
    }

    @Test
    void rawIsEverythingWithoutAKnownMagic() throws IOException {
        Path raw = volumes.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(3 * MIB);
            f.write("QFI".getBytes()); // three bytes of the qcow2 magic are not the magic
        }
        ImageInfo info = inspect("disk.raw");
        assertThat(info.format()).isEqualTo(ImageFormat.RAW);
        assertThat(info.virtualSize()).isEqualTo(3 * MIB);
        assertThat(info.identity()).isEqualTo(ImageIdentity.of(raw));
        assertThat(info.hasBacking()).isFalse();
        Files.createFile(volumes.resolve("empty.raw"));
        assertThat(inspect("empty.raw").virtualSize()).isZero();
    }

    @Test
    void qcow2VersionsAndVirtualSizeComeFromTheHeader() throws Exception {
        qemuImg("create", "-q", "-f", "qcow2", "v3.qcow2", "64M");
        qemuImg("create", "-q", "-f", "qcow2", "-o", "compat=0.10", "v2.qcow2", "1G");
        ImageInfo v3 = inspect("v3.qcow2");
        assertThat(v3.format()).isEqualTo(ImageFormat.QCOW2);
        assertThat(v3.virtualSize()).isEqualTo(64 * MIB);
        assertThat(Files.size(volumes.resolve("v3.qcow2"))).isLessThan(64 * MIB);
        ImageInfo v2 = inspect("v2.qcow2");
        assertThat(v2.format()).isEqualTo(ImageFormat.QCOW2);
        assertThat(v2.virtualSize()).isEqualTo(1024 * MIB);
    }

    @Test
    void vhdxSizeComesFromItsMetadata() throws Exception {
        qemuImg("create", "-q", "-f", "vhdx", "d.vhdx", "96M");
        ImageInfo info = inspect("d.vhdx");
        assertThat(info.format()).isEqualTo(ImageFormat.VHDX);
        assertThat(info.virtualSize()).isEqualTo(96 * MIB);
    }

    @Test
    void backingChainsAreFollowedAndEachFileChecked() throws Exception {
        qemuImg("create", "-q", "-f", "raw", "base.raw", "32M");
        qemuImg("create", "-q", "-f", "qcow2", "-b", "base.raw", "-F", "raw", "mid.qcow2", "32M");
        Files.createDirectories(volumes.resolve("vm"));
        qemuImg("create", "-q", "-f", "qcow2", "-b", "../mid.qcow2", "-F", "qcow2", "vm/top.qcow2", "32M");

        ImageInfo top = inspect("vm/top.qcow2");

        assertThat(top.backing().path()).isEqualTo(volumes.resolve("mid.qcow2"));
        assertThat(top.backing().format()).isEqualTo(ImageFormat.QCOW2);
        assertThat(top.backing().backing().path()).isEqualTo(volumes.resolve("base.raw"));
        assertThat(top.backing().backing().format()).isEqualTo(ImageFormat.RAW);
        assertThat(top.backingIdentities()).containsExactly(ImageIdentity.of(volumes.resolve("mid.qcow2")),
                ImageIdentity.of(volumes.resolve("base.raw")));
    }

    @Test
    void backingFilesOutsideThePolicyOrMissingOrLoopingAreRefused() throws Exception {
        Path outside = tmp.resolve("outside.raw");
        Files.write(outside, new byte[4096]);
        qemuImg("create", "-q", "-f", "qcow2", "-b", outside.toString(), "-F", "raw", "out.qcow2", "1M");
        qemuImg("create", "-q", "-f", "qcow2", "-u", "-b", "/dev/sda", "-F", "raw", "dev.qcow2", "1M");
        qemuImg("create", "-q", "-f", "qcow2", "-u", "-b", "gone.raw", "-F", "raw", "gone.qcow2", "1M");
        qemuImg("create", "-q", "-f", "qcow2", "-u", "-b", "loop-b.qcow2", "-F", "qcow2", "loop-a.qcow2", "1M");
        qemuImg("create", "-q", "-f", "qcow2", "-u", "-b", "loop-a.qcow2", "-F", "qcow2", "loop-b.qcow2", "1M");

        refused(() -> inspect("out.qcow2"), "path", ErrorCode.POLICY_DENIED, "has backing file '" + outside + "'");
        refused(() -> inspect("dev.qcow2"), "path", ErrorCode.POLICY_DENIED, "pseudo-filesystems");
        refused(() -> inspect("gone.qcow2"), "path", ErrorCode.INVALID_INPUT, "which does not exist");
        refused(() -> inspect("loop-a.qcow2"), "path", ErrorCode.INVALID_INPUT, "loops back");
    }

    @Test
    void backingFilesMustBePlainRawOrQcow2Files() throws Exception {
        qemuImg("create", "-q", "-f", "qcow2", "-u", "-b", "json:{\"driver\":\"file\",\"filename\":\"/etc/shadow\"}",
                "-F", "raw", "json.qcow2", "1M");
        Files.writeString(volumes.resolve("nbd:host"), "a file with a protocol-like name");
        qemuImg("create", "-q", "-f", "qcow2", "-u", "-b", "nbd:host", "-F", "raw", "nbd.qcow2", "1M");
        qemuImg("create", "-q", "-f", "vmdk", "v.vmdk", "1M");
        qemuImg("create", "-q", "-f", "qcow2", "-b", "v.vmdk", "-F", "vmdk", "declared-vmdk.qcow2", "1M");
        qemuImg("create", "-q", "-f", "qcow2", "-b", "v.vmdk", "-F", "vmdk", "probed-vmdk.qcow2", "1M");
        eraseBackingFormatExtension(volumes.resolve("probed-vmdk.qcow2"));
        qemuImg("create", "-q", "-f", "qcow2", "inner.qcow2", "1M");
        qemuImg("create", "-q", "-f", "qcow2", "-b", "inner.qcow2", "-F", "raw", "raw-over-qcow2.qcow2", "2M");

        refused(() -> inspect("json.qcow2"), "path", ErrorCode.POLICY_DENIED, "as a protocol");
        refused(() -> inspect("nbd.qcow2"), "path", ErrorCode.POLICY_DENIED, "as a protocol");
        refused(() -> inspect("declared-vmdk.qcow2"), "path", ErrorCode.POLICY_DENIED, "declares its backing file to be 'vmdk'");
        refused(() -> inspect("probed-vmdk.qcow2"), "path", ErrorCode.POLICY_DENIED, "looks like a vmdk image");
        ImageInfo rawOverQcow2 = inspect("raw-over-qcow2.qcow2");
        assertThat(rawOverQcow2.backing().format()).as("declared raw, read as raw").isEqualTo(ImageFormat.RAW);
        assertThat(rawOverQcow2.backing().backing()).isNull();
        assertThat(inspect("v.vmdk").format()).as("a top image is sent with its format named: raw").isEqualTo(ImageFormat.RAW);
    }

    /** Turns the qcow2 backing-format header extension into the end marker: an image from before -F was required. */
    private static void eraseBackingFormatExtension(Path qcow2) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(qcow2.toFile(), "rw")) {
            byte[] head = new byte[4096];
            f.readFully(head);
            for (int i = 72; i + 4 <= head.length; i += 8) {
                if ((head[i] & 0xff) == 0xe2 && (head[i + 1] & 0xff) == 0x79 && (head[i + 2] & 0xff) == 0x2a
                        && (head[i + 3] & 0xff) == 0xca) {
                    f.seek(i);
                    f.writeInt(0);
                    return;
                }
            }
        }
        throw new AssertionError("no backing format extension in " + qcow2);
    }

    @Test
    void qcow2WithAnExternalDataFileIsRefused() throws Exception {
        qemuImg("create", "-q", "-f", "qcow2", "-o", "data_file=ext.raw", "ext.qcow2", "1M");
        refused(() -> inspect("ext.qcow2"), "path", ErrorCode.POLICY_DENIED, "external data file");
    }

    @Test
    void encryptedCorruptAndTruncatedHeadersAreInvalid() throws Exception {
        qemuImg("create", "-q", "-f", "qcow2", "enc.qcow2", "1M");
        try (RandomAccessFile f = new RandomAccessFile(volumes.resolve("enc.qcow2").toFile(), "rw")) {
            f.seek(32);
            f.writeInt(1); // crypt_method AES
        }
        refused(() -> inspect("enc.qcow2"), "path", ErrorCode.INVALID_INPUT, "encrypted qcow2");

        qemuImg("create", "-q", "-f", "qcow2", "bad.qcow2", "1M");
        try (RandomAccessFile f = new RandomAccessFile(volumes.resolve("bad.qcow2").toFile(), "rw")) {
            f.seek(72);
            f.writeLong(2); // incompatible feature "corrupt"
        }
        refused(() -> inspect("bad.qcow2"), "path", ErrorCode.INVALID_INPUT, "marked corrupt");

        Files.write(volumes.resolve("short.qcow2"), new byte[]{'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3});
        refused(() -> inspect("short.qcow2"), "path", ErrorCode.INVALID_INPUT, "qcow2 header is truncated");

        byte[] v9 = new byte[512];
        System.arraycopy(new byte[]{'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 9}, 0, v9, 0, 8);
        Files.write(volumes.resolve("v9.qcow2"), v9);
        refused(() -> inspect("v9.qcow2"), "path", ErrorCode.INVALID_INPUT, "qcow2 version 9");

        byte[] vhdx = new byte[300 * 1024];
        System.arraycopy("vhdxfile".getBytes(), 0, vhdx, 0, 8);
        Files.write(volumes.resolve("fake.vhdx"), vhdx);
        refused(() -> inspect("fake.vhdx"), "path", ErrorCode.INVALID_INPUT, "VHDX region table is missing");
    }

    @Test
    void createSparseMakesAPrivateSparseRawImageAndNeverOverwrites() throws Exception {
        Path target = policy.imageLocation("path", "vm1/new.img");

        ImageInfo info = images.createSparse(target, 10L * 1024 * MIB);

        assertThat(info.path()).isEqualTo(volumes.resolve("vm1/new.img"));
        assertThat(info.format()).isEqualTo(ImageFormat.RAW);
        assertThat(info.virtualSize()).isEqualTo(10L * 1024 * MIB);
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(target.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        Process stat = new ProcessBuilder("stat", "-c", "%b", target.toString()).start();
        long blocks = Long.parseLong(new String(stat.getInputStream().readAllBytes()).strip());
        assertThat(blocks).as("allocated 512-byte blocks of a 10 GiB sparse image").isLessThan(64);

        refused(() -> images.createSparse(target, 1024), "path", ErrorCode.CONFLICT, "never overwritten");
        refused(() -> images.createSparse(volumes.resolve("odd.img"), 1000), "sizeBytes", ErrorCode.INVALID_INPUT, "multiple of 512");
        refused(() -> images.createSparse(volumes.resolve("neg.img"), -512), "sizeBytes", ErrorCode.INVALID_INPUT, "positive");
        refused(() -> images.createSparse(tmp.resolve("elsewhere.img"), 512), "path", ErrorCode.POLICY_DENIED, "outside");
        assertThat(tmp.resolve("elsewhere.img")).doesNotExist();
    }

    @Test
    void prepareCreatesWhenAbsentAndUndoDeletesOnlyWhatItCreated() throws IOException {
        refused(() -> images.prepare("vm1", "fresh.img", null, false, NO_OWNER, List.of()), "path",
                ErrorCode.INVALID_INPUT, "does not exist");

        PreparedImage created = images.prepare("vm1", "fresh.img", 4 * MIB, false, NO_OWNER, List.of());
        assertThat(created.created()).isTrue();
        assertThat(created.info().virtualSize()).isEqualTo(4 * MIB);

        PreparedImage again = images.prepare("vm1", "fresh.img", null, false, NO_OWNER, List.of());
        assertThat(again.created()).isFalse();
        assertThat(again.info().identity()).isEqualTo(created.info().identity());
        images.undo(again);
        assertThat(volumes.resolve("fresh.img")).exists();

        refused(() -> images.prepare("vm1", "fresh.img", 8 * MIB, false, NO_OWNER, List.of()), "sizeBytes",
                ErrorCode.INVALID_INPUT, "only applies when the image is created");
        images.undo(created);
        assertThat(volumes.resolve("fresh.img")).doesNotExist();
    }

    @Test
    void prepareRefusesAnotherInstancesImageAndItsUseAsABackingFile() throws Exception {
        PreparedImage theirs = images.prepare("vm-a", "a/data.img", 4 * MIB, false, NO_OWNER, List.of());
        Map<ImageIdentity, String> owners = Map.of(theirs.info().identity(), "vm-a");
        Files.createLink(volumes.resolve("alias.img"), volumes.resolve("a/data.img"));
        qemuImg("create", "-q", "-f", "qcow2", "-b", "a/data.img", "-F", "raw", "overlay.qcow2", "4M");

        refused(() -> images.prepare("vm-b", "a/data.img", null, true, owners::get, List.of()), "path",
                ErrorCode.POLICY_DENIED, "belongs to instance vm-a");
        refused(() -> images.prepare("vm-b", "alias.img", null, true, owners::get, List.of()), "path",
                ErrorCode.POLICY_DENIED, "belongs to instance vm-a");
        refused(() -> images.prepare("vm-b", "overlay.qcow2", null, false, owners::get, List.of()), "path",
                ErrorCode.POLICY_DENIED, "its backing file");
        assertThat(images.prepare("vm-a", "alias.img", null, false, owners::get, List.of()).info().identity())
                .isEqualTo(theirs.info().identity());
    }

    @Test
    void prepareAppliesTheWriterRule() {
        PreparedImage img = images.prepare("vm1", "shared.img", 4 * MIB, false, NO_OWNER, List.of());
        ImageAttachment reader = new ImageAttachment("vm1", "d1", img.info().path(), img.info().identity(), true);

        assertThat(images.prepare("vm2", "shared.img", null, true, NO_OWNER, List.of(reader)).created()).isFalse();
        refused(() -> images.prepare("vm2", "shared.img", null, false, NO_OWNER, List.of(reader)), "path",
                ErrorCode.CONFLICT, "already attached read-only as disk 'd1' of instance vm1");
    }
}
