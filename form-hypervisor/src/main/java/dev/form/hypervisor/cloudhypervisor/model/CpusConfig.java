package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** vCPUs at boot and the ceiling for vm.resize (hot-plug needs max above boot). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CpusConfig(@JsonProperty("boot_vcpus") Integer bootVcpus,
                         @JsonProperty("max_vcpus") Integer maxVcpus) {
}
