package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.vmm.ApiProblem;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

class ImageClaimsTest {

    private static final ImageIdentity A = new ImageIdentity(2049, 11);
    private static final ImageIdentity B = new ImageIdentity(2049, 12);
    private static final ImageIdentity BASE = new ImageIdentity(2049, 13);
    private static final ImageIdentity OTHER_DEVICE_SAME_INODE = new ImageIdentity(2050, 11);

    private static ImageAttachment att(String vm, String id, ImageIdentity identity, boolean readonly, ImageIdentity... backing) {
        return new ImageAttachment(vm, id, Path.of("/v/" + identity), identity, readonly, List.of(backing));
    }

    private static void conflict(Runnable r, String part) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.code()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(p.field()).isEqualTo("path");
            assertThat(p.getMessage()).contains(part);
        });
    }

    @Test
    void readersShareAndWritersAreAlone() {
        List<ImageAttachment> reader = List.of(att("vm1", "d1", A, true));
        List<ImageAttachment> writer = List.of(att("vm1", "d1", A, false));

        assertThatCode(() -> ImageClaims.requireAttachable("path", A, List.of(), true, reader)).doesNotThrowAnyException();
        conflict(() -> ImageClaims.requireAttachable("path", A, List.of(), false, reader), "already attached read-only");
        conflict(() -> ImageClaims.requireAttachable("path", A, List.of(), true, writer), "attached read-write");
        conflict(() -> ImageClaims.requireAttachable("path", A, List.of(), false, writer), "already attached read-write");
        assertThatCode(() -> ImageClaims.requireAttachable("path", B, List.of(), false, writer)).doesNotThrowAnyException();
        assertThatCode(() -> ImageClaims.requireAttachable("path", OTHER_DEVICE_SAME_INODE, List.of(), false, writer))
                .as("same inode on another device is another file").doesNotThrowAnyException();
    }

    @Test
    void backingFilesAreReadByTheirOverlays() {
        List<ImageAttachment> overlay = List.of(att("vm1", "d1", A, false, BASE));
        conflict(() -> ImageClaims.requireAttachable("path", BASE, List.of(), false, overlay), "backing file of disk 'd1'");
        assertThatCode(() -> ImageClaims.requireAttachable("path", BASE, List.of(), true, overlay)).doesNotThrowAnyException();

        List<ImageAttachment> baseWritten = List.of(att("vm2", "d9", BASE, false));
        conflict(() -> ImageClaims.requireAttachable("path", B, List.of(BASE), true, baseWritten),
                "backing file /v/" + BASE + " is attached read-write");
        assertThatCode(() -> ImageClaims.requireAttachable("path", B, List.of(BASE), false,
                List.of(att("vm2", "d9", BASE, true)))).doesNotThrowAnyException();
    }

    @Test
    void ownersKeepTheirImages() {
        ImageInfo base = new ImageInfo(Path.of("/v/base"), dev.form.core.model.ImageFormat.RAW, 512, BASE, null);
        ImageInfo top = new ImageInfo(Path.of("/v/top"), dev.form.core.model.ImageFormat.QCOW2, 512, A, base);
        Map<ImageIdentity, String> owners = Map.of(BASE, "vm1");

        assertThatCode(() -> ImageClaims.requireNotOwnedByOther("path", top, "vm1", owners::get)).doesNotThrowAnyException();
        assertThatCode(() -> ImageClaims.requireNotOwnedByOther("path", top, "vm2", image -> null)).doesNotThrowAnyException();
        assertThatThrownBy(() -> ImageClaims.requireNotOwnedByOther("path", top, "vm2", owners::get))
                .isInstanceOfSatisfying(ApiProblem.class, p -> {
                    assertThat(p.code()).isEqualTo(ErrorCode.POLICY_DENIED);
                    assertThat(p.getMessage()).contains("its backing file /v/base belongs to instance vm1");
                });
    }

}
