package dev.form.hypervisor;

import java.nio.file.Path;

/**
 * How to find a VM process again after the service restarts; stored in the registry.
 *
 * @param controlSocket Cloud Hypervisor's API socket or QEMU's QMP socket
 * @param pid           the hypervisor process, or 0 when unknown (adopted VMs)
 */
public record VmEndpoint(HypervisorKind kind, Path controlSocket, long pid, Path consoleLog) {
}
