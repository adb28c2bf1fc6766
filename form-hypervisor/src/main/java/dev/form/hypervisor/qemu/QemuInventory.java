package dev.form.hypervisor.qemu;

import java.util.List;
import java.util.Map;

/**
 * Everything QEMU holds for one VM, for reconciliation: devices with their guest addresses,
 * hot-plug slots, block nodes, chardevs and throttle groups, and which of those backing objects
 * belong to no device (left behind by a crash between the two steps of a hot-add).
 *
 * @param devices        device id → guest PCI address
 * @param freeSlots      ids of the root ports with nothing under them
 * @param blockNodes     every named block node
 * @param blockRootsInUse block nodes a device reads from
 * @param chardevs       every chardev label
 * @param throttleGroups every throttle-group object id
 * @param orphans        backing objects no device uses, named as QEMU knows them
 */
public record QemuInventory(Map<String, String> devices, List<String> freeSlots, List<String> blockNodes,
                            List<String> blockRootsInUse, List<String> chardevs, List<String> throttleGroups,
                            List<Orphan> orphans) {

    public QemuInventory {
        devices = Map.copyOf(devices);
        freeSlots = List.copyOf(freeSlots);
        blockNodes = List.copyOf(blockNodes);
        blockRootsInUse = List.copyOf(blockRootsInUse);
        chardevs = List.copyOf(chardevs);
        throttleGroups = List.copyOf(throttleGroups);
        orphans = List.copyOf(orphans);
    }

    /** A backing object without its device. */
    public record Orphan(Type type, String name) {
        public enum Type { BLOCK_NODE, CHARDEV, THROTTLE_GROUP }

        /** As shown to a user: "block node d1-fmt". */
        public String describe() {
            return switch (type) {
                case BLOCK_NODE -> "block node " + name;
                case CHARDEV -> "chardev " + name;
                case THROTTLE_GROUP -> "throttle group " + name;
            };
        }
    }
}
