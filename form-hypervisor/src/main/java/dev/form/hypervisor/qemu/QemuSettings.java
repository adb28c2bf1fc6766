package dev.form.hypervisor.qemu;

import java.time.Duration;

/**
 * How form runs QEMU.
 *
 * @param spareHotplugSlots pcie-root-ports created beyond those the boot resources take: each
 *                          hot-added PCI device needs a free one, and q35 cannot add ports later
 * @param commandTimeout    the limit on one QMP command
 * @param startTimeout      how long a launch may take until QMP answers
 */
public record QemuSettings(int spareHotplugSlots, Duration commandTimeout, Duration startTimeout) {
    public QemuSettings {
        if (spareHotplugSlots < 0 || spareHotplugSlots > 24)
            throw new IllegalArgumentException("spareHotplugSlots must be between 0 and 24 (q35's root bus has 32 slots), got " + spareHotplugSlots);
        if (commandTimeout.isNegative() || commandTimeout.isZero()) throw new IllegalArgumentException("commandTimeout must be positive");
        if (startTimeout.isNegative() || startTimeout.isZero()) throw new IllegalArgumentException("startTimeout must be positive");
    }

    public static QemuSettings defaults() {
        return new QemuSettings(8, Duration.ofSeconds(15), Duration.ofSeconds(30));
    }

    public QemuSettings withSpareHotplugSlots(int n) {
        return new QemuSettings(n, commandTimeout, startTimeout);
    }
}
