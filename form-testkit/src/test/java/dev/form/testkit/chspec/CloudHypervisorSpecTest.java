package dev.form.testkit.chspec;

import dev.form.testkit.SharedReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The official spec as validator: ch-remote's own payloads (api-notes §3) against the spec as published
 * and with exactly the gap allowance each needs; wrong bodies name the offending field.
 */
class CloudHypervisorSpecTest {
    // ch-remote's exact JSON, api-notes §3.
    static final String DISK_READONLY = "{\"pci_segment\":0,\"path\":\"/img/d.raw\",\"readonly\":true,\"direct\":false,\"num_queues\":1,"
            + "\"queue_size\":128,\"vhost_user\":false,\"disable_io_uring\":false,\"disable_aio\":false,\"backing_files\":false,"
            + "\"sparse\":true,\"image_type\":\"Unknown\",\"lock_granularity\":\"ByteRange\"}";
    static final String DISK_RATE_LIMITED = "{\"id\":\"data1\",\"pci_segment\":0,\"path\":\"/img/d.raw\",\"readonly\":false,\"direct\":true,"
            + "\"num_queues\":1,\"queue_size\":128,\"vhost_user\":false,\"rate_limiter_config\":{\"bandwidth\":{\"size\":1048576,"
            + "\"one_time_burst\":0,\"refill_time\":100},\"ops\":null},\"disable_io_uring\":false,\"disable_aio\":false,\"serial\":\"SN1\","
            + "\"backing_files\":false,\"sparse\":true,\"image_type\":\"Raw\",\"lock_granularity\":\"ByteRange\"}";
    static final String FS = "{\"id\":\"fs0\",\"pci_segment\":0,\"tag\":\"share\",\"socket\":\"/run/vfsd.sock\",\"num_queues\":1,\"queue_size\":1024}";
    static final String DEVICE = "{\"id\":\"gpu0\",\"pci_segment\":0,\"path\":\"/sys/bus/pci/devices/0000:01:00.0/\",\"x_exclude_mmap_bars\":[]}";
    static final String DEVICE_IOMMU = "{\"id\":\"gpu0\",\"iommu\":true,\"pci_segment\":0,\"path\":\"/sys/bus/pci/devices/0000:01:00.0/\",\"x_exclude_mmap_bars\":[]}";
    static final String REMOVE = "{\"id\":\"data1\"}";
    static final String RESIZE = "{\"desired_vcpus\":4,\"desired_ram\":2147483648,\"desired_balloon\":null}";

    static Path yaml;
    static CloudHypervisorSpec strict;
    static CloudHypervisorSpec full;

    @BeforeAll
    static void load() {
        yaml = SharedReference.cloudHypervisorSpec();
        strict = CloudHypervisorSpec.strict(yaml);
        full = CloudHypervisorSpec.load(yaml);
    }

    private static CloudHypervisorSpec only(SpecGap gap) {
        return CloudHypervisorSpec.load(yaml, EnumSet.of(gap));
    }

    @Test
    void requestSchemasComeFromTheSpecPaths() {
        assertThat(full.requestSchemas()).containsEntry("/vm.add-disk", "DiskConfig").containsEntry("/vm.add-fs", "FsConfig")
                .containsEntry("/vm.add-device", "DeviceConfig").containsEntry("/vm.remove-device", "VmRemoveDevice")
                .containsEntry("/vm.resize", "VmResize").containsEntry("/vm.create", "VmConfig");
    }

    @Test
    void chRemotePayloadsThatPassTheSpecAsPublished() {
        for (String[] c : new String[][]{{"/vm.add-disk", DISK_READONLY}, {"/vm.add-fs", FS}, {"/vm.add-device", DEVICE},
                {"/vm.add-device", DEVICE_IOMMU}, {"/vm.remove-device", REMOVE}}) {
            assertThat(strict.validateRequest(c[0], c[1])).as(c[0] + " " + c[1]).isEmpty();
        }
    }

    @Test
    void rateLimitedDiskNeedsTheNullableBucketAllowance() {
        assertThat(strict.validateRequest("/vm.add-disk", DISK_RATE_LIMITED)).singleElement().asString()
                .contains("$.rate_limiter_config.ops").contains("null");
        assertThat(only(SpecGap.NULLABLE_RATE_LIMITER_BUCKETS).validateRequest("/vm.add-disk", DISK_RATE_LIMITED)).isEmpty();
        assertThat(full.validateRequest("/vm.add-disk", DISK_RATE_LIMITED)).isEmpty();
    }

    @Test
    void resizeNeedsTheNullableResizeAllowance() {
        assertThat(strict.validateRequest("/vm.resize", RESIZE)).singleElement().asString().contains("$.desired_balloon");
        assertThat(only(SpecGap.NULLABLE_RESIZE_FIELDS).validateRequest("/vm.resize", RESIZE)).isEmpty();
    }

    @Test
    void nullBurstNeedsTheTokenBucketAllowance() {
        String disk = DISK_RATE_LIMITED.replace("\"one_time_burst\":0", "\"one_time_burst\":null").replace(",\"ops\":null", "");
        assertThat(strict.validateRequest("/vm.add-disk", disk)).singleElement().asString().contains("$.rate_limiter_config.bandwidth.one_time_burst");
        assertThat(only(SpecGap.NULLABLE_TOKEN_BUCKET_BURST).validateRequest("/vm.add-disk", disk)).isEmpty();
        // Both nullable allowances together: the burst stays nullable inside the nullable bucket.
        String both = DISK_RATE_LIMITED.replace("\"one_time_burst\":0", "\"one_time_burst\":null");
        assertThat(full.validateRequest("/vm.add-disk", both)).isEmpty();
    }

    @Test
    void flatVmdkNeedsItsAllowance() {
        String disk = DISK_READONLY.replace("\"Unknown\"", "\"FlatVmdk\"");
        assertThat(strict.validateRequest("/vm.add-disk", disk)).singleElement().asString().contains("$.image_type");
        assertThat(only(SpecGap.IMAGE_TYPE_FLAT_VMDK).validateRequest("/vm.add-disk", disk)).isEmpty();
    }

    @Test
    void minimalFsNeedsTheDefaultedQueuesAllowance() {
        String minimal = "{\"tag\":\"share\",\"socket\":\"/run/vfsd.sock\"}";
        assertThat(strict.validateRequest("/vm.add-fs", minimal)).hasSize(2).allMatch(m -> m.contains("num_queues") || m.contains("queue_size"));
        assertThat(only(SpecGap.FS_QUEUE_FIELDS_DEFAULTED).validateRequest("/vm.add-fs", minimal)).isEmpty();
        // The allowance does not make tag or socket optional.
        assertThat(full.validateRequest("/vm.add-fs", "{\"socket\":\"/run/vfsd.sock\"}")).singleElement().asString().contains("tag");
    }

    @Test
    void testKnobsAreTypedOnlyWithTheirAdjustment() {
        String disk = DISK_READONLY.replace("\"disable_aio\":false", "\"disable_aio\":\"no\"");
        assertThat(strict.validateRequest("/vm.add-disk", disk)).isEmpty();
        assertThat(only(SpecGap.DISK_TEST_KNOBS_DOCUMENTED).validateRequest("/vm.add-disk", disk)).singleElement().asString().contains("$.disable_aio");
    }

    @Test
    void removeDeviceIdIsRequiredOnlyWithTheTightening() {
        assertThat(strict.validateRequest("/vm.remove-device", "{}")).isEmpty();
        assertThat(only(SpecGap.REMOVE_DEVICE_ID_REQUIRED).validateRequest("/vm.remove-device", "{}")).singleElement().asString().contains("id");
    }

    @Test
    void wrongTypesAndUnknownEnumValuesNameTheField() {
        List<String> type = full.validateRequest("/vm.add-disk", "{\"path\":\"/x\",\"readonly\":\"yes\"}");
        assertThat(type).singleElement().asString().contains("$.readonly").contains("boolean");
        List<String> enumValue = full.validateRequest("/vm.add-disk", "{\"path\":\"/x\",\"lock_granularity\":\"Partial\"}");
        assertThat(enumValue).singleElement().asString().contains("$.lock_granularity");
        List<String> nested = full.validateRequest("/vm.add-disk", "{\"path\":\"/x\",\"rate_limiter_config\":{\"bandwidth\":{\"size\":\"big\",\"refill_time\":1}}}");
        assertThat(nested).singleElement().asString().contains("$.rate_limiter_config.bandwidth.size");
        List<String> missingRefill = full.validateRequest("/vm.add-disk", "{\"rate_limiter_config\":{\"ops\":{\"size\":1}}}");
        assertThat(missingRefill).singleElement().asString().contains("refill_time");
        List<String> vcpus = full.validateRequest("/vm.resize", "{\"desired_vcpus\":0}");
        assertThat(vcpus).singleElement().asString().contains("$.desired_vcpus");
        List<String> create = full.validateRequest("/vm.create", "{\"cpus\":{\"boot_vcpus\":1}}");
        assertThat(create).anyMatch(m -> m.contains("payload")).anyMatch(m -> m.contains("max_vcpus"));
    }

    @Test
    void bodiesThatAreNotJsonAndOperationsWithoutBody() {
        assertThat(full.validateRequest("/vm.add-disk", "{\"path\":")).singleElement().asString().startsWith("$: not JSON");
        assertThat(full.validateRequest("/vm.boot", "")).isEmpty();
        assertThat(full.validateRequest("/vm.boot", "{}")).containsExactly("/vm.boot takes no request body");
        assertThatThrownBy(() -> full.validateRequest("/vm.nothing", "{}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void responsesValidateAgainstTheirSchemas() {
        assertThat(full.validate("PciDeviceInfo", "{\"id\":\"_disk3\",\"bdf\":\"0000:00:05.0\"}")).isEmpty();
        assertThat(full.validate("PciDeviceInfo", "{\"id\":\"_disk3\"}")).singleElement().asString().contains("bdf");
    }

    @Test
    void everyGapIsHandledByTheDefaultLoad() {
        assertThat(full.gaps()).isEqualTo(Set.of(SpecGap.values()));
        assertThat(strict.gaps()).isEmpty();
    }
}
