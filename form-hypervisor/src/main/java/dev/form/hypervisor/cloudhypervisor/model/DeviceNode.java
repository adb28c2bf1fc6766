package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One node of {@code vm.info}'s device tree. A virtio device appears as {@code <id>} (with
 * {@code parent}, which the spec does not document) and {@code _virtio-pci-<id>} (with the
 * {@code pci_bdf}); a VFIO device appears once with its {@code pci_bdf}. {@code resources} are Rust
 * enum objects kept as raw JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceNode(@JsonProperty("id") String id,
                         @JsonProperty("resources") List<JsonNode> resources,
                         @JsonProperty("parent") String parent,
                         @JsonProperty("children") List<String> children,
                         @JsonProperty("pci_bdf") String pciBdf) {
}
