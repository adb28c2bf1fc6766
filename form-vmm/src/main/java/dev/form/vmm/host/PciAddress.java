package dev.form.vmm.host;

import dev.form.vmm.ApiProblem;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PCI function address in the kernel's sysfs spelling, {@code DDDD:BB:SS.F} (domain, bus, slot, function),
 * e.g. {@code 0000:01:00.0}. {@link #toString()} always gives that lower-case, zero-padded spelling, which is
 * the directory name under /sys/bus/pci/devices and what QEMU's {@code vfio-pci,host=} takes.
 */
public record PciAddress(int domain, int bus, int slot, int function) implements Comparable<PciAddress> {

    private static final Pattern FULL = Pattern.compile("([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7])");

    public PciAddress {
        if (domain < 0 || domain > 0xffff) throw new IllegalArgumentException("PCI domain out of range: " + domain);
        if (bus < 0 || bus > 0xff) throw new IllegalArgumentException("PCI bus out of range: " + bus);
        if (slot < 0 || slot > 0x1f) throw new IllegalArgumentException("PCI slot out of range: " + slot);
        if (function < 0 || function > 7) throw new IllegalArgumentException("PCI function out of range: " + function);
    }

    /**
     * Parses {@code DDDD:BB:SS.F}; anything else (including the short {@code BB:SS.F} form, which leaves the
     * domain implicit) is refused as {@code invalid_input} on {@code field}.
     */
    public static PciAddress parse(String field, String text) {
        if (text == null || text.isEmpty()) throw ApiProblem.invalid(field, field + " is required");
        Matcher m = FULL.matcher(text);
        if (!m.matches()) {
            throw ApiProblem.invalid(field, "'" + printable(text) + "' is not a PCI address: expected domain:bus:slot.function"
                    + " in hex, like 0000:01:00.0", "write the full address as lspci -D shows it");
        }
        int slot = Integer.parseInt(m.group(3), 16);
        if (slot > 0x1f) {
            throw ApiProblem.invalid(field, "'" + text + "' is not a PCI address: the slot must be 00..1f");
        }
        return new PciAddress(Integer.parseInt(m.group(1), 16), Integer.parseInt(m.group(2), 16), slot,
                Integer.parseInt(m.group(4)));
    }

    /** True when {@code text} has the full address shape (nothing is checked on the host). */
    public static boolean looksLikeAddress(String text) {
        return text != null && FULL.matcher(text).matches();
    }

    @Override
    public int compareTo(PciAddress o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%04x:%02x:%02x.%x", domain, bus, slot, function);
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(cp -> {
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) b.append(String.format("\\u%04X", cp));
            else b.appendCodePoint(cp);
        });
        return b.toString();
    }
}
