package dev.form.core.api;

/** A row of {@code GET /v1/instances}. */
public record InstanceSummary(String id, String name, String state, String owner, int cpus, long memoryBytes,
                              int resources) {
}
