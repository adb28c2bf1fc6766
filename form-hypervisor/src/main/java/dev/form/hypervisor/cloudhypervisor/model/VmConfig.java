package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * Body of {@code vm.create}, and the {@code config} of {@code vm.info}: the part of Cloud
 * Hypervisor's VmConfig that form sets. Everything else keeps the server's default; reading a
 * server's full config ignores the fields not modelled here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"cpus", "memory", "payload", "disks", "fs", "devices", "serial", "console", "iommu", "platform"})
public record VmConfig(@JsonProperty("cpus") CpusConfig cpus,
                       @JsonProperty("memory") MemoryConfig memory,
                       @JsonProperty("payload") PayloadConfig payload,
                       @JsonProperty("disks") List<DiskConfig> disks,
                       @JsonProperty("fs") List<FsConfig> fs,
                       @JsonProperty("devices") List<DeviceConfig> devices,
                       @JsonProperty("serial") ConsoleConfig serial,
                       @JsonProperty("console") ConsoleConfig console,
                       @JsonProperty("iommu") Boolean iommu,
                       @JsonProperty("platform") PlatformConfig platform) {

    public List<DiskConfig> disksOrEmpty() {
        return disks == null ? List.of() : disks;
    }

    public List<FsConfig> fsOrEmpty() {
        return fs == null ? List.of() : fs;
    }

    public List<DeviceConfig> devicesOrEmpty() {
        return devices == null ? List.of() : devices;
    }
}
