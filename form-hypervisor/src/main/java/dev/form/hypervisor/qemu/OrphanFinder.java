package dev.form.hypervisor.qemu;

import dev.form.hypervisor.qemu.QemuInventory.Orphan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Decides which backing objects belong to no device, from names alone plus what QEMU says is in
 * use. Only objects named the way {@link BackingNames} names them are considered: anything else
 * in the VM is not form's to release.
 */
final class OrphanFinder {

    private OrphanFinder() {
    }

    static List<Orphan> find(Set<String> deviceIds, Collection<String> blockNodes, Set<String> blockRootsInUse,
                             Collection<String> chardevs, Collection<String> throttleGroups) {
        List<Orphan> out = new ArrayList<>();
        for (String node : blockNodes) {
            String prefix;
            if (node.endsWith(BackingNames.THROTTLE)) {
                prefix = strip(node, BackingNames.THROTTLE);
            } else if (node.endsWith(BackingNames.FORMAT)) {
                prefix = strip(node, BackingNames.FORMAT);
                // Under a throttle filter the format node is an implicit child, released with it.
                if (blockNodes.contains(prefix + BackingNames.THROTTLE)) continue;
            } else {
                continue;
            }
            if (!blockRootsInUse.contains(node)) out.add(new Orphan(Orphan.Type.BLOCK_NODE, node));
        }
        for (String group : throttleGroups) {
            if (!group.endsWith(BackingNames.GROUP)) continue;
            String deviceId = strip(group, BackingNames.GROUP);
            if (deviceIds.contains(deviceId)) continue;
            out.add(new Orphan(Orphan.Type.THROTTLE_GROUP, group));
        }
        for (String chr : chardevs) {
            if (!chr.endsWith(BackingNames.CHARDEV)) continue;
            if (!deviceIds.contains(strip(chr, BackingNames.CHARDEV))) out.add(new Orphan(Orphan.Type.CHARDEV, chr));
        }
        return out;
    }

    private static String strip(String s, String suffix) {
        return s.substring(0, s.length() - suffix.length());
    }
}
