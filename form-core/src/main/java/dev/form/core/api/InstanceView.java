package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/** An instance as {@code GET /v1/instances/{ref}} shows it. Grants appear only to those allowed to see them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstanceView(String id, String name, String state, String owner, String hypervisor,
                           int cpus, int maxCpus, long memoryBytes, long maxMemoryBytes,
                           boolean sharedMemory, boolean autostart, Instant createdAt,
                           List<ResourceView> resources, List<GrantView> grants) {
}
