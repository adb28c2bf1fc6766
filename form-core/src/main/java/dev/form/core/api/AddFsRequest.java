package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /v1/instances/{ref}/filesystems}: share a host directory over virtio-fs. The service
 * starts a virtiofsd for {@code source} unless {@code socket} names one that already runs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddFsRequest(String fsId, String source, String tag, String socket,
                           Integer numQueues, Integer queueSize) implements AddResourceRequest {
}
