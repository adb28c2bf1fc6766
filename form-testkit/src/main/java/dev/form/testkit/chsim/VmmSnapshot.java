package dev.form.testkit.chsim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a simulated VMM holds at one instant, copied so that tests can inspect it freely.
 *
 * @param state        "none" (no VM), "Created", "Running" or "Paused"
 * @param config       the VmConfig as vm.info would serialize it, or null without a VM
 * @param deviceTree   the device tree as vm.info would serialize it, or null when not booted
 * @param guestFsTags  per virtio-fs device id, the mount tag the guest sees (truncated to 36 bytes)
 */
public record VmmSnapshot(String state, JsonNode config, JsonNode deviceTree, Map<String, String> guestFsTags) {

    /** Whether the device tree has a node with this id. */
    public boolean inDeviceTree(String id) {
        return deviceTree != null && deviceTree.has(id);
    }

    /** The ids of one config section ("disks", "fs", "devices", "net", ...), in order; absent ids skipped. */
    public List<String> configIds(String section) {
        List<String> ids = new ArrayList<>();
        if (config == null || !config.has(section)) return ids;
        for (JsonNode n : config.get(section)) {
            if (n.hasNonNull("id")) ids.add(n.get("id").asText());
        }
        return ids;
    }

    /** The config entry of a device by id, searching every device section; null when absent. */
    public JsonNode configEntry(String id) {
        if (config == null) return null;
        for (String section : List.of("disks", "fs", "devices", "net", "pmem", "vdpa", "user_devices")) {
            if (!config.has(section)) continue;
            for (JsonNode n : config.get(section)) {
                if (n.hasNonNull("id") && n.get("id").asText().equals(id)) return n;
            }
        }
        return null;
    }
}
