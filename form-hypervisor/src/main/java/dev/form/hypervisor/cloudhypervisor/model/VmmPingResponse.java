package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Answer of {@code vmm.ping}. {@code version} is the crate version ("54.0.0"), {@code build_version}
 * the git description ("v53.0-246-gae44c2971"); only {@code version} is guaranteed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmmPingResponse(@JsonProperty("build_version") String buildVersion,
                              @JsonProperty("version") String version,
                              @JsonProperty("pid") Long pid,
                              @JsonProperty("features") List<String> features) {
}
