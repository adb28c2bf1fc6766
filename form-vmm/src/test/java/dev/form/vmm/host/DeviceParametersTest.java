package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.core.api.RateLimitRequest;
import dev.form.core.model.RateLimit;
import dev.form.core.model.ResourceKind;
import dev.form.hypervisor.HypervisorKind;
import dev.form.vmm.ApiProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceParametersTest {

    private static void refused(Runnable r, String field, String part) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo(field);
            assertThat(p.code()).isEqualTo(ErrorCode.INVALID_INPUT);
            assertThat(p.getMessage()).contains(part);
        });
    }

    @Test
    void numQueuesIsBoundedByBootVcpus() {
        assertThat(DeviceParameters.numQueues("numQueues", null, 2)).isNull();
        assertThat(DeviceParameters.numQueues("numQueues", 2, 2)).isEqualTo(2);
        refused(() -> DeviceParameters.numQueues("numQueues", 3, 2), "numQueues", "between 1 and the instance's 2 boot vCPUs, got 3");
        refused(() -> DeviceParameters.numQueues("numQueues", 0, 2), "numQueues", "got 0");
    }

    @Test
    void queueSizeIsAPowerOfTwoWithinTheHypervisorsLimit() {
        assertThat(DeviceParameters.queueSize("queueSize", null, ResourceKind.DISK, HypervisorKind.QEMU)).isNull();
        assertThat(DeviceParameters.queueSize("queueSize", 4, ResourceKind.DISK, HypervisorKind.QEMU)).isEqualTo(4);
        assertThat(DeviceParameters.queueSize("queueSize", 1024, ResourceKind.FS, HypervisorKind.QEMU)).isEqualTo(1024);
        assertThat(DeviceParameters.queueSize("queueSize", 32768, ResourceKind.DISK, HypervisorKind.CLOUD_HYPERVISOR)).isEqualTo(32768);
        refused(() -> DeviceParameters.queueSize("queueSize", 2048, ResourceKind.DISK, HypervisorKind.QEMU), "queueSize", "between 4 and 1024");
        refused(() -> DeviceParameters.queueSize("queueSize", 65536, ResourceKind.DISK, HypervisorKind.CLOUD_HYPERVISOR), "queueSize", "32768");
        refused(() -> DeviceParameters.queueSize("queueSize", 2, ResourceKind.DISK, HypervisorKind.CLOUD_HYPERVISOR), "queueSize", "got 2");
        refused(() -> DeviceParameters.queueSize("queueSize", 96, ResourceKind.FS, HypervisorKind.CLOUD_HYPERVISOR), "queueSize", "power of two");
        refused(() -> DeviceParameters.queueSize("queueSize", -128, ResourceKind.DISK, HypervisorKind.QEMU), "queueSize", "got -128");
    }

    @Test
    void rateLimitsNeedPositiveSizeAndRefill() {
        assertThat(DeviceParameters.rateLimit("bandwidth", null)).isNull();
        assertThat(DeviceParameters.rateLimit("bandwidth", new RateLimitRequest(1_000_000L, null, 100L)))
                .isEqualTo(new RateLimit(1_000_000L, 0, 100L));
        assertThat(DeviceParameters.rateLimit("ops", new RateLimitRequest(100L, 50L, 1000L))).isEqualTo(new RateLimit(100, 50, 1000));
        refused(() -> DeviceParameters.rateLimit("bandwidth", new RateLimitRequest(0L, null, 100L)), "bandwidth.size", "positive number of bytes");
        refused(() -> DeviceParameters.rateLimit("ops", new RateLimitRequest(null, null, 100L)), "ops.size", "positive number of operations");
        refused(() -> DeviceParameters.rateLimit("ops", new RateLimitRequest(10L, null, 0L)), "ops.refillMs", "positive number of milliseconds");
        refused(() -> DeviceParameters.rateLimit("ops", new RateLimitRequest(10L, -1L, 10L)), "ops.oneTimeBurst", "must not be negative");
    }
}
