package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.core.model.ResourceKind;
import dev.form.vmm.ApiProblem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceIdsTest {

    private static void refused(Runnable r, String field, ErrorCode code, String part) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo(field);
            assertThat(p.code()).isEqualTo(code);
            assertThat(p.getMessage()).contains(part);
        });
    }

    @Test
    void givenIdsFollowTheRule() {
        assertThat(ResourceIds.requireGivenId("diskId", "data1")).isEqualTo("data1");
        assertThat(ResourceIds.requireGivenId("diskId", "a" + "b".repeat(30))).hasSize(31);
        refused(() -> ResourceIds.requireGivenId("diskId", "a" + "b".repeat(31)), "diskId", ErrorCode.INVALID_INPUT, "1-31 characters");
        refused(() -> ResourceIds.requireGivenId("diskId", "Data1"), "diskId", ErrorCode.INVALID_INPUT, "lower-case letter");
        refused(() -> ResourceIds.requireGivenId("fsId", "_disk3"), "fsId", ErrorCode.INVALID_INPUT, "not a valid fsId");
        refused(() -> ResourceIds.requireGivenId("deviceId", "9x"), "deviceId", ErrorCode.INVALID_INPUT, "not a valid");
        refused(() -> ResourceIds.requireGivenId("diskId", "a b"), "diskId", ErrorCode.INVALID_INPUT, "not a valid");
        refused(() -> ResourceIds.requireGivenId("diskId", ""), "diskId", ErrorCode.INVALID_INPUT, "must not be empty");
    }

    @Test
    void generatedIdsCountUpPerKindAndIgnoreGivenOnes() {
        assertThat(ResourceIds.generate(ResourceKind.DISK, List.of())).isEqualTo("Disk1");
        assertThat(ResourceIds.generate(ResourceKind.DISK, List.of("Disk1", "Disk7", "Fs9", "disk8"))).isEqualTo("Disk8");
        assertThat(ResourceIds.generate(ResourceKind.FS, List.of("Disk1", "Disk7", "Fs9"))).isEqualTo("Fs10");
        assertThat(ResourceIds.generate(ResourceKind.DEVICE, List.of("Dev0x"))).isEqualTo("Dev1");
        assertThat(ResourceIds.isGenerated("Disk12")).isTrue();
        assertThat(ResourceIds.isGenerated("disk12")).isFalse();
    }

    @Test
    void chooseChecksUniquenessIncludingIdsStillListedByTheHypervisor() {
        assertThat(ResourceIds.choose("diskId", ResourceKind.DISK, null, List.of("Disk1"))).isEqualTo("Disk2");
        assertThat(ResourceIds.choose("diskId", ResourceKind.DISK, "data", List.of("Disk1"))).isEqualTo("data");
        refused(() -> ResourceIds.choose("diskId", ResourceKind.DISK, "data", List.of("data")), "diskId",
                ErrorCode.CONFLICT, "already has a device with id 'data'");
    }

    @Test
    void tagsAreAtMost36BytesAndUniquePerVm() {
        assertThat(ResourceIds.requireTag("tag", "x".repeat(36), List.of())).hasSize(36);
        assertThat(ResourceIds.requireTag("tag", "日本語の共有", List.of())).isEqualTo("日本語の共有");
        refused(() -> ResourceIds.requireTag("tag", "x".repeat(37), List.of()), "tag", ErrorCode.INVALID_INPUT, "37 bytes");
        refused(() -> ResourceIds.requireTag("tag", "日".repeat(13), List.of()), "tag", ErrorCode.INVALID_INPUT, "39 bytes");
        refused(() -> ResourceIds.requireTag("tag", "", List.of()), "tag", ErrorCode.INVALID_INPUT, "required");
        refused(() -> ResourceIds.requireTag("tag", "a\u0000b", List.of()), "tag", ErrorCode.INVALID_INPUT, "U+0000");
        refused(() -> ResourceIds.requireTag("tag", "a\u202eb", List.of()), "tag", ErrorCode.INVALID_INPUT, "U+202E");
        refused(() -> ResourceIds.requireTag("tag", "cafe\u0301", List.of()), "tag", ErrorCode.INVALID_INPUT, "form C");
        refused(() -> ResourceIds.requireTag("tag", "home", List.of("home")), "tag", ErrorCode.CONFLICT, "tagged 'home'");
    }

    @Test
    void serialsDefaultFromTheIdAndFitTwentyBytes() {
        assertThat(ResourceIds.serial("serial", null, "data1", List.of())).isEqualTo("data1");
        assertThat(ResourceIds.serial("serial", "SN-0001", "data1", List.of())).isEqualTo("SN-0001");
        String longId = "a-very-long-disk-id-of-31-chars";
        String derived = ResourceIds.serial("serial", null, longId, List.of());
        assertThat(derived).hasSize(20).startsWith("a-very-long-");
        assertThat(ResourceIds.defaultSerial(longId + "x")).isNotEqualTo(derived);
        refused(() -> ResourceIds.serial("serial", "x".repeat(21), "d", List.of()), "serial", ErrorCode.INVALID_INPUT, "1-20");
        refused(() -> ResourceIds.serial("serial", "has space", "d", List.of()), "serial", ErrorCode.INVALID_INPUT, "not a valid serial");
        refused(() -> ResourceIds.serial("serial", null, "data1", List.of("data1")), "serial", ErrorCode.CONFLICT, "serial 'data1'");
    }
}
