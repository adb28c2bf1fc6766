package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Independent bytes/s and ops/s limits of one disk. The server rejects unknown fields here. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RateLimiterConfig(@JsonProperty("bandwidth") TokenBucket bandwidth,
                                @JsonProperty("ops") TokenBucket ops) {
}
