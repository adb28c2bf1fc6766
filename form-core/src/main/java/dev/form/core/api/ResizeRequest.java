package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code POST /v1/instances/{ref}/resize}; at least one of the two. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResizeRequest(Integer cpus, Long memoryBytes) {
}
