package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A token bucket: {@code size} tokens refilled every {@code refill_time} ms, after an initial burst. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"size", "one_time_burst", "refill_time"})
public record TokenBucket(@JsonProperty("size") Long size,
                          @JsonProperty("one_time_burst") Long oneTimeBurst,
                          @JsonProperty("refill_time") Long refillTime) {
}
