package dev.form.hypervisor;

import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A live connection to one VM's hypervisor process. Calls on one instance are made by one thread
 * at a time (the service serializes mutations per VM); implementations need not be reentrant.
 */
public interface RunningVm extends AutoCloseable {

    VmEndpoint endpoint();

    /** True while the hypervisor process exists and answers. */
    boolean alive();

    /** What the hypervisor reports now: state, sizes and every device it still lists. */
    VmSnapshot snapshot() throws HypervisorException;

    /**
     * The ids of every device the hypervisor still lists: what an add must not reuse. A hypervisor
     * that can answer this more cheaply than a whole {@link #snapshot} overrides it.
     */
    default Set<String> deviceIds() throws HypervisorException {
        return snapshot().devices().keySet();
    }

    AttachedDevice addDisk(DiskSpec disk) throws HypervisorException;

    AttachedDevice addFs(FsSpec fs) throws HypervisorException;

    AttachedDevice addDevice(DeviceSpec device) throws HypervisorException;

    /**
     * Asks the hypervisor to unplug a device. Returns at once: the guest ejects it later, see
     * {@link #awaitRemoval}.
     */
    void removeDevice(String id) throws HypervisorException;

    /**
     * Waits until the hypervisor no longer lists the device (and whatever backs it, such as a
     * block node or chardev, is released). Returns false on timeout.
     */
    boolean awaitRemoval(String id, Duration timeout) throws HypervisorException;

    /** Changes vCPUs and/or memory; null leaves that part alone. */
    void resize(Integer vcpus, Long memoryBytes) throws HypervisorException;

    /** Asks the guest to power off (ACPI power button). */
    void powerButton() throws HypervisorException;

    /** Stops the VM at once and ends the hypervisor process. */
    void terminate() throws HypervisorException;

    void pause() throws HypervisorException;

    void resume() throws HypervisorException;

    /**
     * Backing objects (block nodes, chardevs...) that the hypervisor holds for no device: what a
     * crash between creating a device's backing and plugging the device leaves behind. Each entry
     * is a human-readable description such as "block node d1-fmt". Hypervisors that create the
     * backing together with the device have none.
     */
    default List<String> orphanedBackends() throws HypervisorException {
        return List.of();
    }

    /** Releases every {@linkplain #orphanedBackends() orphaned backend}; returns what was released. */
    default List<String> releaseOrphanedBackends() throws HypervisorException {
        return List.of();
    }

    /** Closes the connection only; the VM keeps running. */
    @Override
    void close();
}
