package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Guest memory. {@code shared} must be true (or {@code hugepages}) for any vhost-user device,
 * virtio-fs included, and cannot be changed after vm.create. {@code hotplug_size} is the headroom
 * vm.resize may add.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MemoryConfig(@JsonProperty("size") Long size,
                           @JsonProperty("hotplug_size") Long hotplugSize,
                           @JsonProperty("hotplugged_size") Long hotpluggedSize,
                           @JsonProperty("shared") Boolean shared,
                           @JsonProperty("hugepages") Boolean hugepages) {
}
