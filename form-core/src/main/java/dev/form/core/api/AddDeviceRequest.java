package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /v1/instances/{ref}/devices}: VFIO passthrough.
 *
 * @param path a sysfs path (/sys/bus/pci/devices/0000:01:00.0) or a PCI address (0000:01:00.0)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddDeviceRequest(String deviceId, String path, Boolean iommu) implements AddResourceRequest {
}
