package dev.form.hypervisor.cloudhypervisor;

import dev.form.core.model.DiskSpec;
import dev.form.core.model.ImageFormat;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.testkit.SharedReference;
import dev.form.testkit.chsim.ApiVersion;
import dev.form.testkit.chsim.CloudHypervisorSimulator;
import dev.form.testkit.chsim.SimulatedVmm;
import dev.form.testkit.chsim.SimulatorOptions;
import dev.form.testkit.chspec.CloudHypervisorSpec;
import dev.form.testkit.chspec.SpecGap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator as the driver's tests use it: every VMM validates each request body against the
 * official spec (its known gaps handled), and {@link #assertRequestsConform} additionally checks every
 * body against the spec with none of its allowances, because the driver needs none.
 */
final class SimulatorFixture implements AutoCloseable {

    private final CloudHypervisorSimulator simulator;
    private final CloudHypervisorSpec withoutAllowances;
    private final List<SimulatedVmm> served = new ArrayList<>();

    SimulatorFixture(ApiVersion version, Duration ejectDelay, boolean guestEjects) {
        Path spec = SharedReference.cloudHypervisorSpec();
        this.simulator = CloudHypervisorSimulator.start(SimulatorOptions.defaults()
                .withVersion(version).withEjectDelay(ejectDelay).withGuestEjects(guestEjects)
                .withVhostUserWait(Duration.ofMillis(300)).withSpecForValidation(spec));
        // Only the tightenings: the server requires remove-device's id, and types the disk test knobs.
        this.withoutAllowances = CloudHypervisorSpec.load(spec, EnumSet.of(SpecGap.REMOVE_DEVICE_ID_REQUIRED, SpecGap.DISK_TEST_KNOBS_DOCUMENTED));
    }

    SimulatedVmm serve(Path socket) {
        SimulatedVmm vmm = simulator.serve(socket);
        served.add(vmm);
        return vmm;
    }

    /** Every body sent to every VMM of this fixture is valid for the official spec, without allowances. */
    void assertRequestsConform() {
        for (SimulatedVmm vmm : served) {
            assertThat(vmm.specViolations()).as("spec violations recorded by the simulator").isEmpty();
            for (String line : vmm.requestLog()) {
                String[] parts = line.split(" ", 3);
                if (!parts[0].equals("PUT")) continue;
                String op = parts[1].substring("/api/v1".length());
                List<String> violations = withoutAllowances.validateRequest(op, parts.length > 2 ? parts[2] : null);
                assertThat(violations).as("strict spec violations of %s", line).isEmpty();
            }
        }
    }

    List<String> putsSent() {
        List<String> out = new ArrayList<>();
        for (SimulatedVmm vmm : served) for (String l : vmm.requestLog()) if (l.startsWith("PUT ")) out.add(l);
        return out;
    }

    @Override
    public void close() {
        simulator.close();
    }

    // ---- test material ----

    static Path rawImage(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, new byte[1 << 16]);
        return p;
    }

    static Path kernel(Path dir) throws IOException {
        Path k = dir.resolve("vmlinux");
        if (!Files.exists(k)) Files.write(k, new byte[]{0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        return k;
    }

    static VmLaunchSpec launchSpec(Path dir, int cpus, boolean shared, List<DiskSpec> disks) throws IOException {
        return new VmLaunchSpec("vm-test", dir.resolve("run"), dir.resolve("run/console.log"),
                kernel(dir).toString(), null, "console=ttyS0 root=/dev/vda", cpus, cpus * 2,
                512L << 20, 1L << 30, shared, disks, List.of(), List.of());
    }

    static DiskSpec rawDisk(String id, Path image, boolean readonly) {
        return new DiskSpec(id, image.toString(), ImageFormat.RAW, readonly, false, false, null, null, null, null, null);
    }
}
