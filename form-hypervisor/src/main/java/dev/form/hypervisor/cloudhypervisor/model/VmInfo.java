package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * Answer of {@code vm.info}. {@code state} stays a string (Created, Running, Paused, Shutdown,
 * BreakPoint) so a new server state does not break parsing; {@code device_tree} is absent until
 * the VM has booted.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmInfo(@JsonProperty("config") VmConfig config,
                     @JsonProperty("state") String state,
                     @JsonProperty("memory_actual_size") Long memoryActualSize,
                     @JsonProperty("device_tree") Map<String, DeviceNode> deviceTree) {

    public Map<String, DeviceNode> deviceTreeOrEmpty() {
        return deviceTree == null ? Map.of() : deviceTree;
    }
}
