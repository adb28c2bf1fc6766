package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * PCI layout: each segment has 31 hot-plug slots; devices with {@code iommu:true} may only be
 * hot-added on a segment listed in {@code iommu_segments} (a vIOMMU cannot be hot-added).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlatformConfig(@JsonProperty("num_pci_segments") Integer numPciSegments,
                             @JsonProperty("iommu_segments") List<Integer> iommuSegments) {
}
