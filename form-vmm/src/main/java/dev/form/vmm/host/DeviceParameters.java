package dev.form.vmm.host;

import dev.form.core.api.RateLimitRequest;
import dev.form.core.model.RateLimit;
import dev.form.core.model.ResourceKind;
import dev.form.hypervisor.HypervisorKind;
import dev.form.vmm.ApiProblem;

/**
 * Field checks for the virtio tuning of a request, with the limits of both hypervisors:
 * <ul>
 *   <li>{@code numQueues}: 1 up to the VM's boot vCPUs (Cloud Hypervisor refuses more queues than boot vCPUs);</li>
 *   <li>{@code queueSize}: a power of two above 2; at most 32768 (the virtio split-queue maximum) on Cloud Hypervisor,
 *       at most 1024 (QEMU's VIRTQUEUE_MAX_SIZE) on QEMU;</li>
 *   <li>rate limits: {@code size} and {@code refillMs} positive, {@code oneTimeBurst} not negative (absent: 0).</li>
 * </ul>
 * Null means "the hypervisor's default" and passes through as null.
 */
public final class DeviceParameters {

    public static final int VIRTIO_MAX_QUEUE_SIZE = 32768;
    public static final int QEMU_MAX_QUEUE_SIZE = 1024;

    private DeviceParameters() {
    }

    /** {@code numQueues} in 1..bootVcpus. */
    public static Integer numQueues(String field, Integer value, int bootVcpus) {
        if (value == null) return null;
        if (value < 1 || value > bootVcpus) {
            throw ApiProblem.invalid(field, field + " must be between 1 and the instance's " + bootVcpus
                    + " boot vCPUs, got " + value, "one queue per vCPU is the most that helps");
        }
        return value;
    }

    /** {@code queueSize}: a power of two, more than 2, at most the hypervisor's limit. */
    public static Integer queueSize(String field, Integer value, ResourceKind kind, HypervisorKind hypervisor) {
        if (value == null) return null;
        int max = hypervisor == HypervisorKind.QEMU ? QEMU_MAX_QUEUE_SIZE : VIRTIO_MAX_QUEUE_SIZE;
        if (value <= 2 || value > max || Integer.bitCount(value) != 1) {
            throw ApiProblem.invalid(field, field + " must be a power of two between 4 and " + max + " for a "
                    + kind.wireName() + " on " + hypervisor.wireName() + ", got " + value);
        }
        return value;
    }

    /** A rate limit on the wire to the model; {@code field} is the request's name for it ("bandwidth", "ops"). */
    public static RateLimit rateLimit(String field, RateLimitRequest request) {
        if (request == null) return null;
        if (request.size() == null || request.size() <= 0) {
            throw ApiProblem.invalid(field + ".size", field + ".size must be a positive number of "
                    + (field.equals("ops") ? "operations" : "bytes") + ", got " + request.size());
        }
        if (request.refillMs() == null || request.refillMs() <= 0) {
            throw ApiProblem.invalid(field + ".refillMs", field + ".refillMs must be a positive number of milliseconds, got "
                    + request.refillMs());
        }
        long burst = request.oneTimeBurst() == null ? 0 : request.oneTimeBurst();
        if (burst < 0) {
            throw ApiProblem.invalid(field + ".oneTimeBurst", field + ".oneTimeBurst must not be negative, got " + burst);
        }
        return new RateLimit(request.size(), burst, request.refillMs());
    }
}
