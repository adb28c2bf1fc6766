package dev.form.vmm.instances;

import java.time.Duration;

/**
 * Bounded waits of the service.
 *
 * @param removalTimeout how long remove waits for the guest to release a device by default
 * @param maxRemovalTimeout the longest wait a caller may ask for with timeoutMs
 * @param stopTimeout    how long stop waits after the power button before terminating the VM
 * @param instanceLockWait how long a change waits for another change of the same instance
 */
public record ServiceSettings(Duration removalTimeout, Duration maxRemovalTimeout, Duration stopTimeout, Duration instanceLockWait) {
    public static ServiceSettings defaults() {
        return new ServiceSettings(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofMinutes(2));
    }
}
