package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * Body of {@code vm.add-device} (VFIO passthrough by sysfs path) and an element of
 * {@code VmConfig.devices} (api-notes §2.10). File-descriptor passing is not modelled: it needs
 * SCM_RIGHTS, which a plain JDK socket cannot send.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "iommu", "pci_segment", "pci_device_id", "path", "x_nv_gpudirect_clique", "x_exclude_mmap_bars"})
public record DeviceConfig(
        @JsonProperty("id") String id,
        @JsonProperty("iommu") Boolean iommu,
        @JsonProperty("pci_segment") Integer pciSegment,
        @JsonProperty("pci_device_id") Integer pciDeviceId,
        @JsonProperty("path") String path,
        @JsonProperty("x_nv_gpudirect_clique") Integer xNvGpudirectClique,
        @JsonProperty("x_exclude_mmap_bars") List<Integer> xExcludeMmapBars) {

    /** A device with the server's defaults spelled out, as ch-remote sends them ({@code iommu} omitted when false). */
    public static DeviceConfig withDefaults(String id, String path, boolean iommu) {
        return new DeviceConfig(id, iommu ? Boolean.TRUE : null, 0, null, path, null, List.of());
    }
}
