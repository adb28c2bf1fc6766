package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /v1/instances/{ref}/disks}. Paths are on the service's host; a relative path resolves
 * under the data directory's volumes/.
 *
 * @param diskId    the device id to give the disk; generated when null
 * @param sizeBytes create a sparse raw image of this size when {@code path} does not exist
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddDiskRequest(String diskId, String path, Boolean readonly, Boolean direct, Boolean iommu,
                             Long sizeBytes, String serial, Integer numQueues, Integer queueSize,
                             RateLimitRequest bandwidth, RateLimitRequest ops) implements AddResourceRequest {
}
