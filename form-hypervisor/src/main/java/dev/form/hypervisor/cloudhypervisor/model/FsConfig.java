package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Body of {@code vm.add-fs} and an element of {@code VmConfig.fs} (api-notes §2.9). There is no
 * {@code iommu}: the server refuses virtio-fs behind a vIOMMU.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "pci_segment", "pci_device_id", "tag", "socket", "num_queues", "queue_size"})
public record FsConfig(
        @JsonProperty("id") String id,
        @JsonProperty("pci_segment") Integer pciSegment,
        @JsonProperty("pci_device_id") Integer pciDeviceId,
        @JsonProperty("tag") String tag,
        @JsonProperty("socket") String socket,
        @JsonProperty("num_queues") Integer numQueues,
        @JsonProperty("queue_size") Integer queueSize) {

    /** A share with the server's defaults spelled out, as ch-remote sends them. */
    public static FsConfig withDefaults(String id, String tag, String socket) {
        return new FsConfig(id, 0, null, tag, socket, 1, 1024);
    }
}
