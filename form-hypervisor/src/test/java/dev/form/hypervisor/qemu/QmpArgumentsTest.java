package dev.form.hypervisor.qemu;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import dev.form.core.model.RateLimit;
import dev.form.hypervisor.HypervisorException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QmpArgumentsTest {

    private static DiskSpec disk(String id, boolean ro, boolean direct, RateLimit bw, RateLimit ops) {
        return new DiskSpec(id, "/images/" + id + ".qcow2", ImageFormat.QCOW2, ro, direct, false, "SER-" + id, 2, 256, bw, ops);
    }

    @Test
    void aPlainDiskIsOneFormatNodeOverAFileNodeWithTheSpecsFlags() {
        ObjectNode b = QmpArguments.blockdev(disk("d1", true, true, null, null));
        assertThat(b.path("driver").asText()).isEqualTo("qcow2");
        assertThat(b.path("node-name").asText()).isEqualTo("d1-fmt");
        assertThat(b.path("read-only").asBoolean()).isTrue();
        assertThat(b.path("cache").path("direct").asBoolean()).isTrue();
        assertThat(b.path("file").path("driver").asText()).isEqualTo("file");
        assertThat(b.path("file").path("node-name").asText()).isEqualTo("d1-file");
        assertThat(b.path("file").path("filename").asText()).isEqualTo("/images/d1.qcow2");
        assertThat(b.path("file").path("read-only").asBoolean()).isTrue();
        ObjectNode dev = QmpArguments.diskDevice(disk("d1", true, true, null, null), "rp3");
        assertThat(dev.path("driver").asText()).isEqualTo("virtio-blk-pci");
        assertThat(dev.path("drive").asText()).isEqualTo("d1-fmt");
        assertThat(dev.path("bus").asText()).isEqualTo("rp3");
        assertThat(dev.path("serial").asText()).isEqualTo("SER-d1");
        assertThat(dev.path("num-queues").asInt()).isEqualTo(2);
        assertThat(dev.path("queue-size").asInt()).isEqualTo(256);
    }

    @Test
    void rateLimitsBecomeAThrottleFilterOverTheFormatNodeDrawingFromAGroup() {
        DiskSpec d = disk("d2", false, false, new RateLimit(10_000_000, 0, 100), new RateLimit(500, 0, 1000));
        ObjectNode b = QmpArguments.blockdev(d);
        assertThat(b.path("driver").asText()).isEqualTo("throttle");
        assertThat(b.path("node-name").asText()).isEqualTo("d2-thr");
        assertThat(b.path("throttle-group").asText()).isEqualTo("d2-tg");
        assertThat(b.path("file").path("node-name").asText()).isEqualTo("d2-fmt");
        ObjectNode g = QmpArguments.throttleGroup(d);
        assertThat(g.path("qom-type").asText()).isEqualTo("throttle-group");
        assertThat(g.path("limits").path("bps-total").asLong()).isEqualTo(100_000_000L);
        assertThat(g.path("limits").path("iops-total").asLong()).isEqualTo(500L);
        assertThat(QmpArguments.diskDevice(d, "rp1").path("drive").asText()).isEqualTo("d2-thr");
    }

    @Property
    void perSecondRateIsTheBucketScaledToOneSecondWithoutOverflow(@ForAll @LongRange(min = 1) long size,
                                                                  @ForAll @LongRange(min = 1, max = 3_600_000) long refillMs) {
        long rate = QmpArguments.perSecond(new RateLimit(size, 0, refillMs));
        java.math.BigInteger exact = java.math.BigInteger.valueOf(size).multiply(java.math.BigInteger.valueOf(1000))
                .divide(java.math.BigInteger.valueOf(refillMs));
        java.math.BigInteger max = java.math.BigInteger.valueOf(Long.MAX_VALUE);
        assertThat(java.math.BigInteger.valueOf(rate)).isEqualTo(exact.min(max));
    }

    @Test
    void whatQemuCannotExpressIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> QmpArguments.checkSupported(disk("d3", false, false, new RateLimit(100, 50, 1000), null)))
                .isInstanceOfSatisfying(HypervisorException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HypervisorException.Kind.REFUSED);
                    assertThat(e.getMessage()).contains("bandwidth one_time_burst=50").contains("set it to 0");
                });
        assertThatThrownBy(() -> QmpArguments.checkSupported(disk("d4", false, false, null, new RateLimit(1, 0, 5000))))
                .hasMessageContaining("ops of 1 per 5000 ms is below QEMU's smallest limit");
        assertThatThrownBy(() -> QmpArguments.checkSupported(new DiskSpec("d5", "rel/x.img", ImageFormat.RAW, false, false, false, null, null, null, null, null)))
                .hasMessageContaining("path must be absolute");
        assertThatThrownBy(() -> QmpArguments.checkSupported(new DiskSpec("d6", "/x.img", ImageFormat.RAW, false, false, true, null, null, null, null, null)))
                .hasMessageContaining("iommu=true needs a virtual IOMMU");
        assertThatThrownBy(() -> QmpArguments.checkSupported(new DiskSpec("d7", "/x.img", ImageFormat.RAW, false, false, false, "123456789012345678901", null, null, null, null)))
                .hasMessageContaining("longer than the 20 bytes");
        assertThatThrownBy(() -> QmpArguments.checkSupported(new DeviceSpec("v1", "/sys/bus/pci/devices/0000:01:00.0/", "01:00.0", false)))
                .hasMessageContaining("DDDD:BB:SS.F");
        assertThatThrownBy(() -> QmpArguments.checkSupported(new FsSpec("fs1", "t", "relative.sock", null, null)))
                .hasMessageContaining("socket path must be absolute");
    }

    @Test
    void aShareIsAClientChardevToVirtiofsdAndAVhostUserFsDevice() {
        FsSpec fs = new FsSpec("fs1", "share1", "/run/form/vfs.sock", 1, 512);
        ObjectNode chr = QmpArguments.fsChardev(fs);
        assertThat(chr.path("id").asText()).isEqualTo("fs1-chr");
        assertThat(chr.path("backend").path("data").path("addr").path("data").path("path").asText()).isEqualTo("/run/form/vfs.sock");
        assertThat(chr.path("backend").path("data").path("server").asBoolean()).isFalse();
        ObjectNode dev = QmpArguments.fsDevice(fs, "rp2");
        assertThat(dev.path("driver").asText()).isEqualTo("vhost-user-fs-pci");
        assertThat(dev.path("chardev").asText()).isEqualTo("fs1-chr");
        assertThat(dev.path("tag").asText()).isEqualTo("share1");
        assertThat(dev.path("queue-size").asInt()).isEqualTo(512);
        ObjectNode vfio = QmpArguments.vfioDevice(new DeviceSpec("gpu0", null, "0000:01:00.0", false), "rp4");
        assertThat(vfio.path("driver").asText()).isEqualTo("vfio-pci");
        assertThat(vfio.path("host").asText()).isEqualTo("0000:01:00.0");
    }
}
