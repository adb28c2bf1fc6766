package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * Body of {@code vm.add-disk} and an element of {@code VmConfig.disks}: every field the server
 * accepts (api-notes §2.8). Null means "absent on the wire". The property order follows the
 * server's own serialization, so logged bodies read like ch-remote's.
 *
 * <p>{@code disable_io_uring} and {@code disable_aio} are the server's undocumented test knobs; they
 * are modelled because the server reports them in {@code vm.info}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "iommu", "pci_segment", "pci_device_id", "path", "readonly", "direct", "num_queues",
        "queue_size", "vhost_user", "vhost_socket", "rate_limit_group", "rate_limiter_config", "queue_affinity",
        "disable_io_uring", "disable_aio", "serial", "backing_files", "sparse", "image_type", "lock_granularity"})
public record DiskConfig(
        @JsonProperty("id") String id,
        @JsonProperty("iommu") Boolean iommu,
        @JsonProperty("pci_segment") Integer pciSegment,
        @JsonProperty("pci_device_id") Integer pciDeviceId,
        @JsonProperty("path") String path,
        @JsonProperty("readonly") Boolean readonly,
        @JsonProperty("direct") Boolean direct,
        @JsonProperty("num_queues") Integer numQueues,
        @JsonProperty("queue_size") Integer queueSize,
        @JsonProperty("vhost_user") Boolean vhostUser,
        @JsonProperty("vhost_socket") String vhostSocket,
        @JsonProperty("rate_limit_group") String rateLimitGroup,
        @JsonProperty("rate_limiter_config") RateLimiterConfig rateLimiterConfig,
        @JsonProperty("queue_affinity") List<VirtQueueAffinity> queueAffinity,
        @JsonProperty("disable_io_uring") Boolean disableIoUring,
        @JsonProperty("disable_aio") Boolean disableAio,
        @JsonProperty("serial") String serial,
        @JsonProperty("backing_files") Boolean backingFiles,
        @JsonProperty("sparse") Boolean sparse,
        @JsonProperty("image_type") ImageType imageType,
        @JsonProperty("lock_granularity") LockGranularity lockGranularity) {

    /** A disk with the server's defaults spelled out, as ch-remote sends them. */
    public static DiskConfig withDefaults(String id, String path, ImageType imageType) {
        return new DiskConfig(id, null, 0, null, path, false, false, 1, 128, false, null, null, null, null,
                false, false, null, false, true, imageType, LockGranularity.ByteRange);
    }

    public DiskConfig withReadonly(boolean v) {
        return new DiskConfig(id, iommu, pciSegment, pciDeviceId, path, v, direct, numQueues, queueSize, vhostUser,
                vhostSocket, rateLimitGroup, rateLimiterConfig, queueAffinity, disableIoUring, disableAio, serial,
                backingFiles, sparse, imageType, lockGranularity);
    }

    public DiskConfig withDirect(boolean v) {
        return new DiskConfig(id, iommu, pciSegment, pciDeviceId, path, readonly, v, numQueues, queueSize, vhostUser,
                vhostSocket, rateLimitGroup, rateLimiterConfig, queueAffinity, disableIoUring, disableAio, serial,
                backingFiles, sparse, imageType, lockGranularity);
    }

    /** {@code iommu} is omitted when false, as the server itself does. */
    public DiskConfig withIommu(boolean v) {
        return new DiskConfig(id, v ? Boolean.TRUE : null, pciSegment, pciDeviceId, path, readonly, direct, numQueues,
                queueSize, vhostUser, vhostSocket, rateLimitGroup, rateLimiterConfig, queueAffinity, disableIoUring,
                disableAio, serial, backingFiles, sparse, imageType, lockGranularity);
    }

    public DiskConfig withPciSegment(int v) {
        return new DiskConfig(id, iommu, v, pciDeviceId, path, readonly, direct, numQueues, queueSize, vhostUser,
                vhostSocket, rateLimitGroup, rateLimiterConfig, queueAffinity, disableIoUring, disableAio, serial,
                backingFiles, sparse, imageType, lockGranularity);
    }

    public DiskConfig withQueues(int count, int size) {
        return new DiskConfig(id, iommu, pciSegment, pciDeviceId, path, readonly, direct, count, size, vhostUser,
                vhostSocket, rateLimitGroup, rateLimiterConfig, queueAffinity, disableIoUring, disableAio, serial,
                backingFiles, sparse, imageType, lockGranularity);
    }

    public DiskConfig withSerial(String v) {
        return new DiskConfig(id, iommu, pciSegment, pciDeviceId, path, readonly, direct, numQueues, queueSize,
                vhostUser, vhostSocket, rateLimitGroup, rateLimiterConfig, queueAffinity, disableIoUring, disableAio, v,
                backingFiles, sparse, imageType, lockGranularity);
    }

    public DiskConfig withRateLimiter(RateLimiterConfig v) {
        return new DiskConfig(id, iommu, pciSegment, pciDeviceId, path, readonly, direct, numQueues, queueSize,
                vhostUser, vhostSocket, rateLimitGroup, v, queueAffinity, disableIoUring, disableAio, serial,
                backingFiles, sparse, imageType, lockGranularity);
    }
}
