package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code vm.remove-device}. */
public record VmRemoveDevice(@JsonProperty("id") String id) {
}
