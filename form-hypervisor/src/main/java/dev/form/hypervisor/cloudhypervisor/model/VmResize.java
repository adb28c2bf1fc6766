package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code vm.resize}; absent parts stay as they are (ch-remote sends them as null instead). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmResize(@JsonProperty("desired_vcpus") Integer desiredVcpus,
                       @JsonProperty("desired_ram") Long desiredRam,
                       @JsonProperty("desired_balloon") Long desiredBalloon) {
}
