package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** What the VM boots: a firmware or a kernel, with optional initramfs and command line. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PayloadConfig(@JsonProperty("firmware") String firmware,
                            @JsonProperty("kernel") String kernel,
                            @JsonProperty("cmdline") String cmdline,
                            @JsonProperty("initramfs") String initramfs) {
}
