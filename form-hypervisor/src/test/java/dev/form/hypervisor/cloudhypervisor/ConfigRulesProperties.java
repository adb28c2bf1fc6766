package dev.form.hypervisor.cloudhypervisor;

import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import dev.form.core.model.RateLimit;
import dev.form.hypervisor.cloudhypervisor.model.DeviceConfig;
import dev.form.hypervisor.cloudhypervisor.model.DiskConfig;
import dev.form.hypervisor.cloudhypervisor.model.FsConfig;
import dev.form.hypervisor.cloudhypervisor.model.ImageType;
import dev.form.hypervisor.cloudhypervisor.model.LockGranularity;
import dev.form.hypervisor.cloudhypervisor.model.RateLimiterConfig;
import dev.form.hypervisor.cloudhypervisor.model.TokenBucket;
import dev.form.hypervisor.cloudhypervisor.model.VirtQueueAffinity;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Random and garbled configs into the validation: each is accepted (and then really obeys the
 * server's rules) or refused with an {@link InvalidConfigException} naming a field. Nothing else.
 */
class ConfigRulesProperties {

    private static final VmLimits VM = new VmLimits(2, 2, List.of(1), false);

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.just(null),
                Arbitraries.strings().ofMaxLength(40),
                Arbitraries.strings().withChars("abc_-./__0\u0000\u00e9,").ofMaxLength(25),
                Arbitraries.of("/img/d.raw", "data1", "__rng", "_virtio-pci-x", "", " ", "SN12345678901234567890"));
    }

    @Provide
    Arbitrary<Integer> number() {
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.integers().between(-3, 70),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 128, 1024, 65536, 32768));
    }

    @Provide
    @SuppressWarnings("unchecked")
    Arbitrary<DiskConfig> disks() {
        Arbitrary<Boolean> flag = Arbitraries.of(null, true, false);
        Arbitrary<TokenBucket> bucket = Combinators.combine(
                Arbitraries.longs().between(-2, 5), Arbitraries.longs().between(-2, 5), Arbitraries.longs().between(-2, 5))
                .as(TokenBucket::new).injectNull(0.3);
        Arbitrary<RateLimiterConfig> limiter = Combinators.combine(bucket, bucket).as(RateLimiterConfig::new).injectNull(0.5);
        Arbitrary<List<VirtQueueAffinity>> affinity = Combinators.combine(number(), number().list().ofMaxSize(3))
                .as(VirtQueueAffinity::new).list().ofMaxSize(2).injectNull(0.7);
        return Builders.withBuilder(() -> new Object[21])
                .use(text()).in((a, v) -> set(a, 0, v))
                .use(flag).in((a, v) -> set(a, 1, v))
                .use(number()).in((a, v) -> set(a, 2, v))
                .use(number()).in((a, v) -> set(a, 3, v))
                .use(text()).in((a, v) -> set(a, 4, v))
                .use(flag).in((a, v) -> set(a, 5, v))
                .use(number()).in((a, v) -> set(a, 7, v))
                .use(number()).in((a, v) -> set(a, 8, v))
                .use(flag).in((a, v) -> set(a, 9, v))
                .use(text()).in((a, v) -> set(a, 10, v))
                .use(text().injectNull(0.7)).in((a, v) -> set(a, 11, v))
                .use(limiter).in((a, v) -> set(a, 12, v))
                .use(affinity).in((a, v) -> set(a, 13, v))
                .use(text()).in((a, v) -> set(a, 16, v))
                .use(Arbitraries.of(ImageType.class).injectNull(0.2)).in((a, v) -> set(a, 19, v))
                .build(a -> new DiskConfig((String) a[0], (Boolean) a[1], (Integer) a[2], (Integer) a[3], (String) a[4],
                        (Boolean) a[5], false, (Integer) a[7], (Integer) a[8], (Boolean) a[9], (String) a[10], (String) a[11],
                        (RateLimiterConfig) a[12], (List<VirtQueueAffinity>) a[13], false, false, (String) a[16], false, true,
                        (ImageType) a[19], LockGranularity.ByteRange));
    }

    private static Object[] set(Object[] a, int i, Object v) {
        a[i] = v;
        return a;
    }

    @Property(tries = 1500, edgeCases = EdgeCasesMode.MIXIN)
    void diskConfigsAreAcceptedOnlyWhenTheServerWouldBe(@ForAll("disks") DiskConfig d) {
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            try {
                ConfigRules.checkDisk(d, VM);
            } catch (InvalidConfigException e) {
                assertThat(e.field()).startsWith("disk");
                assertThat(e.getMessage()).startsWith(e.field() + ": ");
                return;
            }
            assertThat(d.id()).isNotEmpty().doesNotStartWith("__");
            assertThat(d.imageType()).isNotNull().isNotEqualTo(ImageType.Unknown);
            if (!Boolean.TRUE.equals(d.vhostUser())) assertThat(d.path()).startsWith("/");
            if (d.serial() != null) assertThat(d.serial().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(20);
            if (d.numQueues() != null) assertThat(d.numQueues()).isBetween(1, VM.bootVcpus());
            if (d.queueSize() != null) assertThat(Integer.bitCount(d.queueSize())).isEqualTo(1);
            if (d.queueSize() != null) assertThat(d.queueSize()).isGreaterThan(2);
            if (d.pciSegment() != null) assertThat(d.pciSegment()).isBetween(0, VM.numPciSegments() - 1);
            if (d.pciDeviceId() != null) assertThat(d.pciDeviceId()).isBetween(1, 31);
            if (Boolean.TRUE.equals(d.iommu())) assertThat(d.pciSegment()).isEqualTo(1);
            assertThat(d.rateLimiterConfig() == null || d.rateLimitGroup() == null).isTrue();
        });
    }

    @Property(tries = 800, edgeCases = EdgeCasesMode.MIXIN)
    void fsAndDeviceConfigsAreAcceptedOrRefusedByField(@ForAll("text") String id, @ForAll("text") String tag,
                                                        @ForAll("text") String path, @ForAll("number") Integer queues,
                                                        @ForAll("number") Integer size, @ForAll("number") Integer slot,
                                                        @ForAll boolean shared) {
        VmLimits vm = new VmLimits(4, 1, List.of(), shared);
        try {
            ConfigRules.checkFs(new FsConfig(id, 0, slot, tag, path, queues, size), vm);
            assertThat(shared).isTrue();
            assertThat(tag.getBytes(StandardCharsets.UTF_8).length).isBetween(1, 36);
        } catch (InvalidConfigException e) {
            assertThat(e.field()).startsWith("fs");
        }
        try {
            ConfigRules.checkDevice(new DeviceConfig(id, null, 0, slot, path, null, List.of()), vm);
            assertThat(path).startsWith("/");
            assertThat(id).isNotEmpty();
        } catch (InvalidConfigException e) {
            assertThat(e.field()).startsWith("device");
        }
    }

    @Provide
    Arbitrary<String> garbledJson() {
        String valid = "{\"id\":\"data1\",\"pci_segment\":0,\"path\":\"/img/d.raw\",\"readonly\":false,\"num_queues\":1,"
                + "\"queue_size\":128,\"rate_limiter_config\":{\"bandwidth\":{\"size\":1,\"refill_time\":100}},"
                + "\"serial\":\"SN1\",\"image_type\":\"Raw\",\"queue_affinity\":[{\"queue_index\":0,\"host_cpus\":[0]}]}";
        Arbitrary<String> mutated = Combinators.combine(Arbitraries.integers().between(0, valid.length() - 1),
                Arbitraries.strings().withChars("{}[]\":,0-9aZ\u0000null").ofMaxLength(4),
                Arbitraries.integers().between(0, 4)).as((at, insert, drop) ->
                valid.substring(0, at) + insert + valid.substring(Math.min(valid.length(), at + drop)));
        return Arbitraries.oneOf(mutated, Arbitraries.strings().ofMaxLength(200), Arbitraries.just(valid));
    }

    @Property(tries = 1000, edgeCases = EdgeCasesMode.MIXIN)
    void garbledJsonBecomesAConfigOrAReadErrorThenAVerdict(@ForAll("garbledJson") String json) {
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            DiskConfig d;
            try {
                d = CloudHypervisorJson.read(json.getBytes(StandardCharsets.UTF_8), DiskConfig.class);
            } catch (IOException e) {
                assertThat(e.getMessage()).isNotBlank();
                return;
            }
            try {
                ConfigRules.checkDisk(d, VM);
                assertThat(d.id()).isNotEmpty();
            } catch (InvalidConfigException e) {
                assertThat(e.field()).startsWith("disk");
            }
        });
    }

    @Property(tries = 500, edgeCases = EdgeCasesMode.MIXIN)
    void formDiskSpecsMapToValidConfigsOrNamedRefusals(@ForAll("text") String id, @ForAll("text") String path,
                                                       @ForAll("text") String serial, @ForAll("number") Integer queues,
                                                       @ForAll("number") Integer size, @ForAll boolean iommu,
                                                       @ForAll boolean limit) {
        ImageFormat format = ImageFormat.values()[Math.floorMod(String.valueOf(id).hashCode(), 3)];
        DiskSpec spec = new DiskSpec(id, path, format, false, false, iommu, serial, queues, size,
                limit ? new RateLimit(1 << 20, 0, 100) : null, null);
        try {
            DiskConfig d = SpecMapping.disk(spec, VM);
            ConfigRules.checkDisk(d, VM);
            assertThat(d.id()).isEqualTo(id);
            assertThat(d.imageType()).isNotEqualTo(ImageType.Unknown);
        } catch (InvalidConfigException e) {
            assertThat(e.field()).startsWith("disk");
        }
        FsSpec fs = new FsSpec(id, serial, path, queues, size);
        try {
            ConfigRules.checkFs(SpecMapping.fs(fs), VM);
        } catch (InvalidConfigException e) {
            assertThat(e.field()).startsWith("fs");
        }
    }
}
