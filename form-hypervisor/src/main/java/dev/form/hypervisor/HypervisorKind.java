package dev.form.hypervisor;

import java.util.Locale;

public enum HypervisorKind {
    CLOUD_HYPERVISOR, QEMU;

    /** cloud-hypervisor or qemu, as the CLI and the registry spell it. */
    public String wireName() {
        return this == CLOUD_HYPERVISOR ? "cloud-hypervisor" : "qemu";
    }

    public static HypervisorKind fromWire(String s) {
        for (HypervisorKind k : values()) if (k.wireName().equals(s.toLowerCase(Locale.ROOT))) return k;
        throw new IllegalArgumentException("unknown hypervisor '" + s + "' (expected cloud-hypervisor or qemu)");
    }
}
