package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.cloudhypervisor.http.ResponseLimits;

import java.time.Duration;
import java.util.List;

/**
 * How {@link CloudHypervisor} starts and drives VMM processes.
 *
 * @param socketWait    how long a new process may take to answer on its API socket
 * @param exitWait      how long vmm.shutdown may take to end the process before it is killed
 * @param pciSegments   PCI segments per VM: each gives 31 hot-plug slots
 * @param iommuSegments segments behind a vIOMMU (only there can {@code iommu} devices be hot-added)
 */
public record LaunchOptions(Duration socketWait, Duration exitWait, CallTimeouts timeouts, ResponseLimits limits,
                            int pciSegments, List<Integer> iommuSegments) {

    public static final LaunchOptions DEFAULT = new LaunchOptions(Duration.ofSeconds(30), Duration.ofSeconds(5),
            CallTimeouts.DEFAULT, ResponseLimits.DEFAULT, 1, List.of());

    public LaunchOptions {
        iommuSegments = List.copyOf(iommuSegments);
        if (pciSegments < 1 || pciSegments > 16) throw new IllegalArgumentException("pciSegments must be 1 to 16");
    }

    public LaunchOptions withTimeouts(CallTimeouts t) {
        return new LaunchOptions(socketWait, exitWait, t, limits, pciSegments, iommuSegments);
    }

    public LaunchOptions withPciSegments(int segments, List<Integer> iommu) {
        return new LaunchOptions(socketWait, exitWait, timeouts, limits, segments, iommu);
    }

    public LaunchOptions withSocketWait(Duration d) {
        return new LaunchOptions(d, exitWait, timeouts, limits, pciSegments, iommuSegments);
    }
}
