package dev.form.core.model;

import java.util.Locale;

/** Grant levels on an instance, weakest first: each level includes everything below it. */
public enum AccessLevel {
    READ_ONLY, OPERATOR, MANAGER, OWNER;

    public boolean includes(AccessLevel needed) {
        return compareTo(needed) >= 0;
    }

    /** Wire form: readonly, operator, manager, owner. */
    public String wireName() {
        return name().replace("_", "").toLowerCase(Locale.ROOT);
    }

    public static AccessLevel fromWire(String s) {
        String norm = s == null ? "" : s.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        for (AccessLevel l : values()) if (l.wireName().equals(norm)) return l;
        throw new IllegalArgumentException("unknown access level '" + s + "' (expected readonly, operator, manager or owner)");
    }
}
