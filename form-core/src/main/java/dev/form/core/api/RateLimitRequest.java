package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A token bucket on the wire: size tokens every refillMs, plus an optional one-time burst. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RateLimitRequest(Long size, Long oneTimeBurst, Long refillMs) {
}
