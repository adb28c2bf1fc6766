package dev.form.testkit.chsim;

import java.util.BitSet;

/**
 * PCI device slots per segment: 32 device numbers, slot 0 of every segment held by the host bridge,
 * so 31 devices per segment.
 */
final class PciBus {
    static final int SLOTS = 32;
    private final BitSet[] used;

    PciBus(int segments) {
        used = new BitSet[segments];
        for (int i = 0; i < segments; i++) {
            used[i] = new BitSet(SLOTS);
            used[i].set(0);
        }
    }

    int segments() {
        return used.length;
    }

    /** @return the device number, or -1 when the slot is taken / the segment is full */
    int allocate(int segment, Integer requested) {
        BitSet b = used[segment];
        if (requested != null) {
            if (requested <= 0 || requested >= SLOTS || b.get(requested)) return -1;
            b.set(requested);
            return requested;
        }
        int free = b.nextClearBit(1);
        if (free >= SLOTS) return -1;
        b.set(free);
        return free;
    }

    void free(int segment, int device) {
        if (device > 0) used[segment].clear(device);
    }

    static String bdf(int segment, int device) {
        return String.format("%04x:%02x:%02x.%x", segment, 0, device, 0);
    }
}
