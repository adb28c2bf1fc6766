package dev.form.hypervisor.qemu;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PCI tree as QEMU reports it (query-pci): which hot-plug slots (pcie-root-ports) exist,
 * what sits under each, and the address the guest sees for every device with an id.
 *
 * <p>Addresses behind a root port use the secondary bus number the guest's firmware or kernel
 * programmed into the port; before the guest enumerated the bus that number may still be 0.
 */
public final class PciTopology {

    /** One device with a qdev id. {@code port} is the root port it sits under, or null on the root bus. */
    public record Device(String id, String address, String description, String port) {
    }

    /** One pcie-root-port (or other bridge with an id): a hot-plug slot, free when nothing is under it. */
    public record Port(String id, String address, int secondaryBus, List<String> occupants) {
        public Port {
            occupants = List.copyOf(occupants);
        }

        public boolean free() {
            return occupants.isEmpty();
        }
    }

    private final List<Port> ports;
    private final Map<String, Device> devices;

    private PciTopology(List<Port> ports, Map<String, Device> devices) {
        this.ports = List.copyOf(ports);
        this.devices = Collections.unmodifiableMap(devices);
    }

    /** Reads the return value of query-pci. */
    public static PciTopology parse(JsonNode queryPci) {
        List<Port> ports = new ArrayList<>();
        Map<String, Device> devices = new LinkedHashMap<>();
        for (JsonNode bus : queryPci) walk(bus.path("devices"), null, ports, devices);
        return new PciTopology(ports, devices);
    }

    private static void walk(JsonNode list, String port, List<Port> ports, Map<String, Device> devices) {
        for (JsonNode d : list) {
            String id = d.path("qdev_id").asText("");
            String address = address(d);
            JsonNode bridge = d.get("pci_bridge");
            if (bridge != null && !id.isEmpty()) {
                List<String> occupants = new ArrayList<>();
                for (JsonNode child : bridge.path("devices")) {
                    String cid = child.path("qdev_id").asText("");
                    occupants.add(cid.isEmpty() ? "(no id) " + address(child) : cid);
                }
                ports.add(new Port(id, address, bridge.path("bus").path("secondary").asInt(0), occupants));
                walk(bridge.path("devices"), id, ports, devices);
            } else {
                if (!id.isEmpty()) devices.put(id, new Device(id, address, d.path("class_info").path("desc").asText(""), port));
                if (bridge != null) walk(bridge.path("devices"), port, ports, devices);
            }
        }
    }

    private static String address(JsonNode d) {
        return String.format("0000:%02x:%02x.%x", d.path("bus").asInt(), d.path("slot").asInt(), d.path("function").asInt());
    }

    public List<Port> ports() {
        return ports;
    }

    /** Every device with an id that is not a hot-plug slot, by id, in bus order. */
    public Map<String, Device> devices() {
        return devices;
    }

    public Optional<Device> device(String id) {
        return Optional.ofNullable(devices.get(id));
    }

    /** The first slot with nothing under it, in the order QEMU lists them. */
    public Optional<Port> firstFreePort() {
        return ports.stream().filter(Port::free).findFirst();
    }

    public long freePorts() {
        return ports.stream().filter(Port::free).count();
    }
}
