package dev.form.hypervisor.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One asynchronous QMP event, numbered in arrival order on its connection so a caller can wait
 * for events that arrive after a given point.
 *
 * @param seq  1 for the first event on the connection, then increasing by one
 * @param name QEMU's event name, e.g. DEVICE_DELETED
 * @param data the event's data object (an empty object when QEMU sent none)
 */
public record QmpEvent(long seq, String name, JsonNode data) {

    /** A string field of the data, or null. */
    public String dataText(String field) {
        JsonNode v = data.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** True for DEVICE_DELETED of the device with this qdev id (not of its internal children). */
    public boolean isDeviceDeleted(String deviceId) {
        return "DEVICE_DELETED".equals(name) && deviceId.equals(dataText("device"));
    }
}
