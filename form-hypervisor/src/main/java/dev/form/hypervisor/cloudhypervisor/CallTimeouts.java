package dev.form.hypervisor.cloudhypervisor;

import java.time.Duration;
import java.util.Objects;

/**
 * How long each call may take. The server handles one call at a time, so any call can wait behind
 * a slow one; vm.add-fs itself may take a full minute (the server retries connecting to virtiofsd
 * for 60 s), hence its own, longer limit.
 *
 * @param standard     every call not listed below
 * @param addFs        vm.add-fs: at least 70 s
 * @param lifecycle    vm.create, vm.boot, vm.shutdown, vm.delete, vmm.shutdown
 * @param ping         vmm.ping used as a liveness probe
 */
public record CallTimeouts(Duration standard, Duration addFs, Duration lifecycle, Duration ping) {

    public static final Duration MIN_ADD_FS = Duration.ofSeconds(70);

    public static final CallTimeouts DEFAULT = new CallTimeouts(
            Duration.ofSeconds(10), Duration.ofSeconds(75), Duration.ofSeconds(30), Duration.ofSeconds(3));

    public CallTimeouts {
        Objects.requireNonNull(standard, "standard");
        Objects.requireNonNull(addFs, "addFs");
        Objects.requireNonNull(lifecycle, "lifecycle");
        Objects.requireNonNull(ping, "ping");
        for (Duration d : new Duration[]{standard, addFs, lifecycle, ping})
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("call timeouts must be positive, got " + d);
    }

    /** Shorter limits for tests; vm.add-fs keeps its floor unless {@link #unchecked} is used. */
    public CallTimeouts withStandard(Duration d) {
        return new CallTimeouts(d, addFs, lifecycle, ping);
    }

    public CallTimeouts withAddFs(Duration d) {
        if (d.compareTo(MIN_ADD_FS) < 0)
            throw new IllegalArgumentException("vm.add-fs needs at least 70 s: the server waits up to 60 s for virtiofsd");
        return new CallTimeouts(standard, d, lifecycle, ping);
    }

    public CallTimeouts withLifecycle(Duration d) {
        return new CallTimeouts(standard, addFs, d, ping);
    }

    public CallTimeouts withPing(Duration d) {
        return new CallTimeouts(standard, addFs, lifecycle, d);
    }

    public Duration forCall(ApiCall call) {
        return switch (call) {
            case VM_ADD_FS -> addFs;
            case VM_CREATE, VM_BOOT, VM_SHUTDOWN, VM_DELETE, VMM_SHUTDOWN -> lifecycle;
            case VMM_PING -> ping;
            default -> standard;
        };
    }
}
