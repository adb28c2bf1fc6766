package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The serial port or the virtio console: a mode plus the file or socket it writes to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConsoleConfig(@JsonProperty("mode") ConsoleMode mode,
                            @JsonProperty("file") String file,
                            @JsonProperty("socket") String socket) {

    public static ConsoleConfig toFile(String file) {
        return new ConsoleConfig(ConsoleMode.File, file, null);
    }

    public static ConsoleConfig off() {
        return new ConsoleConfig(ConsoleMode.Off, null, null);
    }
}
