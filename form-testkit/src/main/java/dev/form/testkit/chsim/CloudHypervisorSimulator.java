package dev.form.testkit.chsim;

import dev.form.testkit.chspec.CloudHypervisorSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A stand-in for Cloud Hypervisor's REST API server, for tests where the real one cannot run (no KVM).
 * One simulator serves any number of VMMs, each a VM on its own Unix socket, all sharing one host-wide
 * table of disk-image locks. Usage:
 * <pre>{@code
 * try (var sim = CloudHypervisorSimulator.start(SimulatorOptions.defaults().withVersion(ApiVersion.V53))) {
 *     SimulatedVmm vmm = sim.serve(dir.resolve("ch.sock"));
 *     ... talk HTTP/1.1 to vmm.socket() ...
 * }
 * }</pre>
 */
public final class CloudHypervisorSimulator implements AutoCloseable {
    private final SimulatorOptions options;
    private final ScheduledExecutorService timers;
    private final CloudHypervisorSpec spec;
    private final Set<SimulatedVmm> vmms = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private CloudHypervisorSimulator(SimulatorOptions options) {
        this.options = options;
        this.spec = options.specForValidation() == null ? null : CloudHypervisorSpec.load(options.specForValidation());
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chsim-guest");
            t.setDaemon(true);
            return t;
        });
    }

    public static CloudHypervisorSimulator start(SimulatorOptions options) {
        return new CloudHypervisorSimulator(Objects.requireNonNull(options, "options"));
    }

    /** Starts a VMM (no VM yet) listening on {@code apiSocket}; a stale socket file there is replaced. */
    public SimulatedVmm serve(Path apiSocket) {
        if (closed) throw new IllegalStateException("simulator is closed");
        try {
            SimulatedVmm vmm = new SimulatedVmm(this, apiSocket);
            vmms.add(vmm);
            return vmm;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the API socket " + apiSocket + ": " + e.getMessage(), e);
        }
    }

    /** The VMMs still running. */
    public List<SimulatedVmm> vmms() {
        return List.copyOf(vmms);
    }

    public SimulatorOptions options() {
        return options;
    }

    CloudHypervisorSpec spec() {
        return spec;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    void forget(SimulatedVmm vmm) {
        vmms.remove(vmm);
    }

    /** Stops every VMM (sockets closed and deleted, image locks and vhost-user connections released). */
    @Override
    public void close() {
        closed = true;
        for (SimulatedVmm v : List.copyOf(vmms)) v.close();
        timers.shutdownNow();
    }
}
