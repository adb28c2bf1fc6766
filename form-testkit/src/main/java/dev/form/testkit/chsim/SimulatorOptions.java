package dev.form.testkit.chsim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link CloudHypervisorSimulator} behaves.
 *
 * @param version            which server release to imitate (status codes, body limit, remove retry)
 * @param ejectDelay         how long the simulated guest takes to eject a device after remove-device
 * @param guestEjects        false makes the guest never eject (device stays in the device tree forever,
 *                           like a guest without ACPI hotplug)
 * @param vhostUserWait      how long add-fs keeps retrying (every 100 ms) to connect to the virtiofsd
 *                           socket; the real server waits 60 s
 * @param maxConnections     simultaneous client connections per VMM; the next one gets the canned 503
 * @param specForValidation  when not null, every request body received is validated against this
 *                           OpenAPI file and violations are recorded per VMM
 */
public record SimulatorOptions(ApiVersion version, Duration ejectDelay, boolean guestEjects,
                               Duration vhostUserWait, int maxConnections, Path specForValidation) {

    public SimulatorOptions {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(ejectDelay, "ejectDelay");
        Objects.requireNonNull(vhostUserWait, "vhostUserWait");
        if (ejectDelay.isNegative()) throw new IllegalArgumentException("ejectDelay must not be negative");
        if (vhostUserWait.isNegative()) throw new IllegalArgumentException("vhostUserWait must not be negative");
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be at least 1");
    }

    /** v54, 50 ms eject delay, guest ejects, 2 s virtiofsd wait, 10 connections, no spec validation. */
    public static SimulatorOptions defaults() {
        return new SimulatorOptions(ApiVersion.V54, Duration.ofMillis(50), true, Duration.ofSeconds(2), 10, null);
    }

    public SimulatorOptions withVersion(ApiVersion v) {
        return new SimulatorOptions(v, ejectDelay, guestEjects, vhostUserWait, maxConnections, specForValidation);
    }

    public SimulatorOptions withEjectDelay(Duration d) {
        return new SimulatorOptions(version, d, guestEjects, vhostUserWait, maxConnections, specForValidation);
    }

    /** {@code false}: removed devices are never ejected by the guest. */
    public SimulatorOptions withGuestEjects(boolean ejects) {
        return new SimulatorOptions(version, ejectDelay, ejects, vhostUserWait, maxConnections, specForValidation);
    }

    /** Shorthand for {@code withGuestEjects(false)}. */
    public SimulatorOptions withGuestNeverEjecting() {
        return withGuestEjects(false);
    }

    public SimulatorOptions withVhostUserWait(Duration d) {
        return new SimulatorOptions(version, ejectDelay, guestEjects, d, maxConnections, specForValidation);
    }

    public SimulatorOptions withMaxConnections(int n) {
        return new SimulatorOptions(version, ejectDelay, guestEjects, vhostUserWait, n, specForValidation);
    }

    public SimulatorOptions withSpecForValidation(Path spec) {
        return new SimulatorOptions(version, ejectDelay, guestEjects, vhostUserWait, maxConnections, spec);
    }
}
