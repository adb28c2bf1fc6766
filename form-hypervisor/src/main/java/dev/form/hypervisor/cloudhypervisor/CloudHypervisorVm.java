package dev.form.hypervisor.cloudhypervisor;

import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.hypervisor.AttachedDevice;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.VmRunState;
import dev.form.hypervisor.VmSnapshot;
import dev.form.hypervisor.cloudhypervisor.model.DeviceNode;
import dev.form.hypervisor.cloudhypervisor.model.PciDeviceInfo;
import dev.form.hypervisor.cloudhypervisor.model.VmConfig;
import dev.form.hypervisor.cloudhypervisor.model.VmInfo;
import dev.form.hypervisor.cloudhypervisor.model.VmResize;

import java.time.Duration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** One Cloud Hypervisor VMM process and its VM, driven over the API socket. */
public final class CloudHypervisorVm implements RunningVm {

    private static final String PCI_NODE_PREFIX = "_virtio-pci-";

    private final VmEndpoint endpoint;
    private final CloudHypervisorClient client;
    private final Duration exitWait;
    private volatile VmLimits limits;
    private int nextSegment;

    CloudHypervisorVm(VmEndpoint endpoint, CloudHypervisorClient client, Duration exitWait, VmLimits limits) {
        this.endpoint = endpoint;
        this.client = client;
        this.exitWait = exitWait;
        this.limits = limits;
    }

    /** The API client underneath, for calls the {@link RunningVm} contract does not cover. */
    public CloudHypervisorClient client() {
        return client;
    }

    @Override
    public VmEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public boolean alive() {
        if (endpoint.pid() > 0) {
            Optional<ProcessHandle> p = ProcessHandle.of(endpoint.pid());
            if (p.isEmpty() || !p.get().isAlive()) return false;
        }
        try {
            client.ping();
            return true;
        } catch (HypervisorException e) {
            return false;
        }
    }

    @Override
    public VmSnapshot snapshot() throws HypervisorException {
        VmInfo info = client.info();
        if (info.config() != null) limits = VmLimits.of(info.config());
        return toSnapshot(info);
    }

    /** vm.info as form's snapshot: devices by form's ids, each with the address of its PCI node. */
    static VmSnapshot toSnapshot(VmInfo info) throws HypervisorException {
        VmConfig config = info.config();
        int vcpus = config != null && config.cpus() != null && config.cpus().bootVcpus() != null ? config.cpus().bootVcpus() : 0;
        long memory = info.memoryActualSize() != null && info.memoryActualSize() > 0 ? info.memoryActualSize()
                : config != null && config.memory() != null && config.memory().size() != null ? config.memory().size() : 0;
        Map<String, String> devices = new HashMap<>();
        if (info.deviceTree() != null) {
            Map<String, DeviceNode> tree = info.deviceTree();
            for (Map.Entry<String, DeviceNode> e : tree.entrySet()) {
                String id = e.getKey();
                if (id.startsWith(PCI_NODE_PREFIX) || id.startsWith("__")) continue;
                devices.put(id, addressOf(id, e.getValue(), tree));
            }
        } else if (config != null) {
            config.disksOrEmpty().forEach(d -> { if (d.id() != null) devices.put(d.id(), null); });
            config.fsOrEmpty().forEach(f -> { if (f.id() != null) devices.put(f.id(), null); });
            config.devicesOrEmpty().forEach(d -> { if (d.id() != null) devices.put(d.id(), null); });
        }
        return new VmSnapshot(state(info.state()), vcpus, memory, devices);
    }

    private static String addressOf(String id, DeviceNode node, Map<String, DeviceNode> tree) {
        if (node != null && node.pciBdf() != null) return node.pciBdf();
        DeviceNode pci = tree.get(PCI_NODE_PREFIX + id);
        if (pci == null && node != null && node.parent() != null) pci = tree.get(node.parent());
        return pci == null ? null : pci.pciBdf();
    }

    private static VmRunState state(String s) throws HypervisorException {
        if (s == null) throw new HypervisorException(Kind.PROTOCOL, "vm.info answered without a state");
        return switch (s) {
            case "Created" -> VmRunState.CREATED;
            case "Running" -> VmRunState.RUNNING;
            case "Paused", "BreakPoint" -> VmRunState.PAUSED;
            case "Shutdown" -> VmRunState.SHUTDOWN;
            default -> throw new HypervisorException(Kind.PROTOCOL, "vm.info reported an unknown state '" + s + "'");
        };
    }

    private VmLimits limits() throws HypervisorException {
        VmLimits l = limits;
        if (l == null) {
            VmInfo info = client.info();
            l = info.config() == null ? VmLimits.UNKNOWN : VmLimits.of(info.config());
            limits = l;
        }
        return l;
    }

    @Override
    public AttachedDevice addDisk(DiskSpec disk) throws HypervisorException {
        VmLimits l = limits();
        return refusingInvalid(() -> attached(disk.id(), client.addDisk(SpecMapping.disk(disk, l, nextSegment(l)), l)));
    }

    @Override
    public AttachedDevice addFs(FsSpec fs) throws HypervisorException {
        VmLimits l = limits();
        return refusingInvalid(() -> attached(fs.id(), client.addFs(SpecMapping.fs(fs, nextSegment(l)), l)));
    }

    @Override
    public AttachedDevice addDevice(DeviceSpec device) throws HypervisorException {
        VmLimits l = limits();
        return refusingInvalid(() -> attached(device.id(), client.addDevice(SpecMapping.device(device, l, nextSegment(l)), l)));
    }

    /** A driver call that may refuse a config before sending it. */
    private interface DriverCall<T> {
        T run() throws HypervisorException;
    }

    /**
     * A spec that breaks one of Cloud Hypervisor's rules for this VM (iommu without an IOMMU segment,
     * more queues than boot vCPUs, a share without shared memory) is the caller's input to fix:
     * reported as {@link HypervisorException.Kind#INVALID}, checked like every other refusal, since
     * nothing was sent and nothing changed.
     */
    private static <T> T refusingInvalid(DriverCall<T> call) throws HypervisorException {
        try {
            return call.run();
        } catch (InvalidConfigException e) {
            throw new HypervisorException(HypervisorException.Kind.INVALID, 0, List.of(e.getMessage()), e.getMessage(), e);
        }
    }

    /**
     * Spreads hot-added devices over the VM's PCI segments, 31 slots each: a VM created with several
     * segments can take that many more devices, and a slot freed late by a slow guest eject on one
     * segment does not stop the next add.
     */
    private synchronized int nextSegment(VmLimits l) {
        int segments = l == VmLimits.UNKNOWN ? 1 : Math.max(1, l.numPciSegments());
        int s = Math.floorMod(nextSegment, segments);
        nextSegment = s + 1;
        return s;
    }

    /** A cold add (VM created, not booted) has no address yet: the server answers 204. */
    private static AttachedDevice attached(String requestedId, Optional<PciDeviceInfo> info) {
        return info.map(i -> new AttachedDevice(i.id(), i.bdf())).orElse(new AttachedDevice(requestedId, null));
    }

    @Override
    public void removeDevice(String id) throws HypervisorException {
        client.removeDevice(id);
    }

    @Override
    public boolean awaitRemoval(String id, Duration timeout) throws HypervisorException {
        return client.awaitRemoval(id, timeout);
    }

    @Override
    public void resize(Integer vcpus, Long memoryBytes) throws HypervisorException {
        if (vcpus == null && memoryBytes == null) return;
        client.resize(new VmResize(vcpus, memoryBytes, null));
        limits = null;
    }

    @Override
    public void powerButton() throws HypervisorException {
        client.powerButton();
    }

    @Override
    public void pause() throws HypervisorException {
        client.pauseVm();
    }

    @Override
    public void resume() throws HypervisorException {
        client.resumeVm();
    }

    /** vmm.shutdown, then the process gets {@code exitWait} to go before it is killed. */
    @Override
    public void terminate() throws HypervisorException {
        HypervisorException failure = null;
        try {
            client.shutdownVmm();
        } catch (HypervisorException e) {
            // An unreachable VMM is what we want; anything else is reported after the kill.
            if (e.kind() != Kind.UNAVAILABLE) failure = e;
        } finally {
            client.close();
        }
        ProcessReaper.endProcess(endpoint.pid(), exitWait);
        if (failure != null && alive()) throw failure;
    }

    @Override
    public void close() {
        client.close();
    }
}
