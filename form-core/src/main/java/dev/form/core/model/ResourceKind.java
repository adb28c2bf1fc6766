package dev.form.core.model;

import java.util.Locale;

/** What can be hot-added to an instance. The wire name is the lower-case name. */
public enum ResourceKind {
    DISK, FS, DEVICE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ResourceKind fromWire(String s) {
        for (ResourceKind k : values()) if (k.wireName().equals(s)) return k;
        throw new IllegalArgumentException("unknown resource kind '" + s + "' (expected disk, fs or device)");
    }
}
