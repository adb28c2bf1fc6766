package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.cloudhypervisor.http.ConnectionClosedException;
import dev.form.hypervisor.cloudhypervisor.http.HttpProtocolException;
import dev.form.hypervisor.cloudhypervisor.http.HttpRequest;
import dev.form.hypervisor.cloudhypervisor.http.HttpResponse;
import dev.form.hypervisor.cloudhypervisor.http.ResponseLimits;
import dev.form.hypervisor.cloudhypervisor.http.ResponseTimeoutException;
import dev.form.hypervisor.cloudhypervisor.http.UnixHttpConnection;
import dev.form.hypervisor.cloudhypervisor.model.DeviceConfig;
import dev.form.hypervisor.cloudhypervisor.model.DeviceNode;
import dev.form.hypervisor.cloudhypervisor.model.DiskConfig;
import dev.form.hypervisor.cloudhypervisor.model.FsConfig;
import dev.form.hypervisor.cloudhypervisor.model.PciDeviceInfo;
import dev.form.hypervisor.cloudhypervisor.model.VmConfig;
import dev.form.hypervisor.cloudhypervisor.model.VmInfo;
import dev.form.hypervisor.cloudhypervisor.model.VmRemoveDevice;
import dev.form.hypervisor.cloudhypervisor.model.VmResize;
import dev.form.hypervisor.cloudhypervisor.model.VmmPingResponse;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cloud Hypervisor's REST API over its Unix socket: one method per call, typed bodies, one reused
 * connection. Error answers become {@link HypervisorException}s that keep the server's whole
 * message chain; how statuses read depends on the server's version, learnt from vmm.ping.
 *
 * <p>Thread-safe (calls are serialized, as the server serializes them anyway).
 */
public final class CloudHypervisorClient implements AutoCloseable {

    private final UnixHttpConnection connection;
    private final CallTimeouts timeouts;
    private volatile ServerVersion version;

    public CloudHypervisorClient(Path apiSocket) {
        this(apiSocket, CallTimeouts.DEFAULT, ResponseLimits.DEFAULT);
    }

    public CloudHypervisorClient(Path apiSocket, CallTimeouts timeouts, ResponseLimits limits) {
        this.connection = new UnixHttpConnection(apiSocket, limits);
        this.timeouts = timeouts;
    }

    public Path socket() {
        return connection.socket();
    }

    public CallTimeouts timeouts() {
        return timeouts;
    }

    /** The server's version, asking vmm.ping the first time. */
    public ServerVersion version() throws HypervisorException {
        ServerVersion v = version;
        if (v == null) {
            ping();
            v = version;
        }
        return v;
    }

    // ---- the calls ----

    public VmmPingResponse ping() throws HypervisorException {
        VmmPingResponse ping = read(ApiCall.VMM_PING, call(ApiCall.VMM_PING, null), VmmPingResponse.class);
        version = ServerVersion.of(ping);
        return ping;
    }

    public void createVm(VmConfig config) throws HypervisorException {
        for (DiskConfig d : config.disksOrEmpty()) ConfigRules.checkDisk(d, VmLimits.of(config));
        for (FsConfig f : config.fsOrEmpty()) ConfigRules.checkFs(f, VmLimits.of(config));
        for (DeviceConfig d : config.devicesOrEmpty()) ConfigRules.checkDevice(d, VmLimits.of(config));
        call(ApiCall.VM_CREATE, config);
    }

    public void bootVm() throws HypervisorException {
        call(ApiCall.VM_BOOT, null);
    }

    public VmInfo info() throws HypervisorException {
        return read(ApiCall.VM_INFO, call(ApiCall.VM_INFO, null), VmInfo.class);
    }

    /** @return the new device's id and address; empty when the VM is created but not booted (the server answers 204) */
    public Optional<PciDeviceInfo> addDisk(DiskConfig disk, VmLimits vm) throws HypervisorException {
        ConfigRules.checkDisk(disk, vm);
        return attached(ApiCall.VM_ADD_DISK, call(ApiCall.VM_ADD_DISK, disk));
    }

    public Optional<PciDeviceInfo> addDisk(DiskConfig disk) throws HypervisorException {
        return addDisk(disk, VmLimits.UNKNOWN);
    }

    /** May take a minute: the server waits for virtiofsd's socket; the call's own limit is at least 70 s. */
    public Optional<PciDeviceInfo> addFs(FsConfig fs, VmLimits vm) throws HypervisorException {
        ConfigRules.checkFs(fs, vm);
        return attached(ApiCall.VM_ADD_FS, call(ApiCall.VM_ADD_FS, fs));
    }

    public Optional<PciDeviceInfo> addFs(FsConfig fs) throws HypervisorException {
        return addFs(fs, VmLimits.UNKNOWN);
    }

    public Optional<PciDeviceInfo> addDevice(DeviceConfig device, VmLimits vm) throws HypervisorException {
        ConfigRules.checkDevice(device, vm);
        return attached(ApiCall.VM_ADD_DEVICE, call(ApiCall.VM_ADD_DEVICE, device));
    }

    public Optional<PciDeviceInfo> addDevice(DeviceConfig device) throws HypervisorException {
        return addDevice(device, VmLimits.UNKNOWN);
    }

    /** Asks for the unplug; the device goes only when the guest ejects it (see {@link #awaitRemoval}). */
    public void removeDevice(String id) throws HypervisorException {
        if (id == null || id.isEmpty()) throw new InvalidConfigException("id", "the id of the device to remove is required");
        call(ApiCall.VM_REMOVE_DEVICE, new VmRemoveDevice(id));
    }

    public void resize(VmResize resize) throws HypervisorException {
        if (resize.desiredVcpus() == null && resize.desiredRam() == null && resize.desiredBalloon() == null)
            throw new InvalidConfigException("resize", "give desired_vcpus, desired_ram or desired_balloon");
        if (resize.desiredVcpus() != null && resize.desiredVcpus() < 1)
            throw new InvalidConfigException("resize.desired_vcpus", "must be at least 1");
        if (resize.desiredRam() != null && resize.desiredRam() <= 0)
            throw new InvalidConfigException("resize.desired_ram", "must be positive");
        if (resize.desiredBalloon() != null && resize.desiredBalloon() < 0)
            throw new InvalidConfigException("resize.desired_balloon", "must not be negative");
        call(ApiCall.VM_RESIZE, resize);
    }

    public void shutdownVm() throws HypervisorException {
        call(ApiCall.VM_SHUTDOWN, null);
    }

    public void powerButton() throws HypervisorException {
        call(ApiCall.VM_POWER_BUTTON, null);
    }

    public void pauseVm() throws HypervisorException {
        call(ApiCall.VM_PAUSE, null);
    }

    public void resumeVm() throws HypervisorException {
        call(ApiCall.VM_RESUME, null);
    }

    public void deleteVm() throws HypervisorException {
        call(ApiCall.VM_DELETE, null);
    }

    /**
     * Ends the VMM process (and its VM). The server answers 200 and exits; should it exit before its
     * answer arrives, the closed connection counts as done.
     */
    public void shutdownVmm() throws HypervisorException {
        try {
            call(ApiCall.VMM_SHUTDOWN, null);
        } catch (HypervisorException e) {
            if (e.kind() != Kind.UNAVAILABLE || !(e.getCause() instanceof ConnectionClosedException)) throw e;
        }
    }

    // ---- removal ----

    /**
     * Polls vm.info until neither {@code id} nor {@code _virtio-pci-<id>} is in the device tree, that
     * is until the guest has ejected the device and the server has freed its slot.
     *
     * @return true once gone; false when {@code timeout} passed first
     */
    public boolean awaitRemoval(String id, Duration timeout) throws HypervisorException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // a guest that ejects at once is seen within a few ms; a slow one costs a poll per doubling (vm.info is cheap)
        long pauseMs = 2;
        while (true) {
            VmInfo info = info();
            if (!listsDevice(info, id)) return true;
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            sleep(Math.min(pauseMs, Math.max(1, left / 1_000_000)));
            pauseMs = Math.min(pauseMs * 2, 250);
        }
    }

    /** True while the booted VM's device tree still holds the device or its PCI node. */
    public static boolean listsDevice(VmInfo info, String id) {
        Map<String, DeviceNode> tree = info.deviceTreeOrEmpty();
        if (tree.containsKey(id) || tree.containsKey("_virtio-pci-" + id)) return true;
        if (info.deviceTree() != null) return false;
        // Not booted: no tree, the config alone says what is there.
        VmConfig c = info.config();
        if (c == null) return false;
        return c.disksOrEmpty().stream().anyMatch(d -> id.equals(d.id()))
                || c.fsOrEmpty().stream().anyMatch(f -> id.equals(f.id()))
                || c.devicesOrEmpty().stream().anyMatch(d -> id.equals(d.id()));
    }

    private static void sleep(long ms) throws HypervisorException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(Kind.TIMEOUT, "interrupted while waiting for a device to be removed", e);
        }
    }

    // ---- plumbing ----

    private HttpResponse call(ApiCall call, Object body) throws HypervisorException {
        HttpRequest request = new HttpRequest(call.method(), call.path(), body == null ? null : CloudHypervisorJson.write(body));
        HttpResponse response = send(call, request);
        if (response.success()) return response;
        List<String> chain = ErrorChain.of(response);
        throw classifierFor(call).exception(call, response.status(), chain);
    }

    /** Sends one request; I/O failures become UNAVAILABLE, TIMEOUT or PROTOCOL. */
    public HttpResponse send(ApiCall call, HttpRequest request) throws HypervisorException {
        try {
            return connection.exchange(request, timeouts.forCall(call));
        } catch (ResponseTimeoutException e) {
            throw new HypervisorException(Kind.TIMEOUT, 0, List.of(e.getMessage()),
                    "Cloud Hypervisor did not answer " + call.action() + ": " + e.getMessage(), e);
        } catch (HttpProtocolException e) {
            throw new HypervisorException(Kind.PROTOCOL, 0, List.of(e.getMessage()),
                    "unreadable answer to " + call.action() + " from " + socket() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new HypervisorException(Kind.UNAVAILABLE, 0, List.of(String.valueOf(e.getMessage())),
                    "Cloud Hypervisor at " + socket() + " is unavailable for " + call.action() + ": " + e.getMessage(), e);
        }
    }

    private ErrorClassifier classifierFor(ApiCall call) {
        ServerVersion v = version;
        if (v == null && call != ApiCall.VMM_PING) {
            try {
                ping();
                v = version;
            } catch (HypervisorException e) {
                v = ServerVersion.UNKNOWN;
            }
        }
        return new ErrorClassifier(v == null ? ServerVersion.UNKNOWN : v);
    }

    private static Optional<PciDeviceInfo> attached(ApiCall call, HttpResponse response) throws HypervisorException {
        if (response.status() == 204 || response.body().length == 0) return Optional.empty();
        PciDeviceInfo info = read(call, response, PciDeviceInfo.class);
        if (info.id() == null || info.bdf() == null)
            throw new HypervisorException(Kind.PROTOCOL, response.status(), List.of(response.bodyText()),
                    call.action() + " answered without id or bdf: " + response.bodyText(), null);
        return Optional.of(info);
    }

    private static <T> T read(ApiCall call, HttpResponse response, Class<T> type) throws HypervisorException {
        try {
            T value = CloudHypervisorJson.read(response.body(), type);
            if (value == null) throw new IOException("empty body");
            return value;
        } catch (IOException e) {
            String detail = withoutControlCharacters(e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(""));
            throw new HypervisorException(Kind.PROTOCOL, response.status(), List.of(detail),
                    "unreadable " + type.getSimpleName() + " in the answer to " + call.action() + ": " + detail, e);
        }
    }

    /** Jackson quotes the token it choked on: a control character in it is shown escaped, never passed on to logs or callers. */
    private static String withoutControlCharacters(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.chars().forEach(c -> {
            if (Character.isISOControl(c)) out.append(String.format("\\u%04x", c));
            else out.append((char) c);
        });
        return out.toString();
    }

    /** Drops the connection; the VM is unaffected. */
    @Override
    public void close() {
        connection.close();
    }
}
