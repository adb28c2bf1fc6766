package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Answer of a hot add to a running VM: the device id and its guest address, {@code 0000:00:05.0}. */
public record PciDeviceInfo(@JsonProperty("id") String id, @JsonProperty("bdf") String bdf) {
}
