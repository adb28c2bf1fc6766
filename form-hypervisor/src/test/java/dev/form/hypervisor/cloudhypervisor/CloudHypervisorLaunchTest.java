package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.AttachedDevice;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.hypervisor.VmRunState;
import dev.form.hypervisor.VmSnapshot;
import dev.form.testkit.SharedReference;
import dev.form.testkit.chsim.ApiVersion;
import dev.form.testkit.chsim.CloudHypervisorSimulatorMain;
import dev.form.testkit.chsim.SimulatedVmm;
import dev.form.testkit.chspec.CloudHypervisorSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Launching real VMM processes (the simulator's stand-in for the cloud-hypervisor executable),
 * re-attaching to them, and noticing when they go away.
 */
class CloudHypervisorLaunchTest {

    @TempDir
    static Path shared;
    static Path launcher;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeLauncher() throws Exception {
        launcher = CloudHypervisorSimulatorMain.writeLauncher(shared.resolve("bin"));
    }

    private static CloudHypervisor hypervisor() {
        return new CloudHypervisor(launcher, LaunchOptions.DEFAULT.withSocketWait(Duration.ofSeconds(60)));
    }

    @Test
    void launchesReattachesAndNoticesTheGuestPoweringOff() throws Exception {
        VmLaunchSpec spec = SimulatorFixture.launchSpec(dir, 2, true,
                List.of(SimulatorFixture.rawDisk("root", SimulatorFixture.rawImage(dir, "root.raw"), false)));
        // The launched process is not the in-process simulator, so its bodies are checked here, before sending.
        CloudHypervisorSpec official = CloudHypervisorSpec.strict(SharedReference.cloudHypervisorSpec());
        assertThat(official.validateRequest("/vm.create",
                CloudHypervisorJson.writeString(SpecMapping.vm(spec, 1, List.of())))).isEmpty();

        RunningVm vm = hypervisor().launch(spec);
        try {
            VmEndpoint ep = vm.endpoint();
            assertThat(ep.kind()).isEqualTo(HypervisorKind.CLOUD_HYPERVISOR);
            assertThat(ep.controlSocket()).isEqualTo(spec.runDir().toAbsolutePath().resolve("api.sock"));
            assertThat(ep.pid()).isPositive();
            assertThat(ProcessHandle.of(ep.pid())).isPresent();
            assertThat(vm.alive()).isTrue();
            // Its own session: terminal signals to the service do not reach it.
            assertThat(sessionOf(ep.pid())).isNotEqualTo(sessionOf(ProcessHandle.current().pid()));

            VmSnapshot s = vm.snapshot();
            assertThat(s.state()).isEqualTo(VmRunState.RUNNING);
            assertThat(s.vcpus()).isEqualTo(2);
            assertThat(s.devices()).containsKey("root");
            assertThat(spec.consoleLog()).exists();

            var data = SimulatorFixture.rawDisk("data1", SimulatorFixture.rawImage(dir, "data.raw"), false);
            assertThat(official.validateRequest("/vm.add-disk",
                    CloudHypervisorJson.writeString(SpecMapping.disk(data, VmLimits.of(SpecMapping.vm(spec, 1, List.of())))))).isEmpty();
            AttachedDevice added = vm.addDisk(data);
            vm.close();

            try (RunningVm again = hypervisor().reattach(ep)) {
                assertThat(again.alive()).isTrue();
                assertThat(again.snapshot().devices()).containsEntry("data1", added.pciAddress()).containsKey("root");
                again.powerButton();
                await().atMost(Duration.ofSeconds(20)).until(() -> !again.alive());
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(ep.pid()).map(p -> !p.isAlive()).orElse(true));
            assertThat(vm.alive()).isFalse();
            assertThatThrownBy(() -> hypervisor().reattach(ep))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
        } finally {
            vm.terminate();
        }
    }

    @Test
    void terminateEndsTheProcess() throws Exception {
        VmLaunchSpec spec = SimulatorFixture.launchSpec(dir, 1, false, List.of());
        RunningVm vm = hypervisor().launch(spec);
        long pid = vm.endpoint().pid();
        vm.terminate();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(vm.alive()).isFalse();
        // A second launch into the same run directory finds the stale socket file and replaces it.
        RunningVm second = hypervisor().launch(spec);
        try {
            assertThat(second.alive()).isTrue();
            assertThatThrownBy(() -> hypervisor().launch(spec))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
        } finally {
            second.terminate();
        }
    }

    @Test
    void aFailedBootLeavesNoProcessBehind() throws Exception {
        VmLaunchSpec good = SimulatorFixture.launchSpec(dir, 1, false, List.of());
        VmLaunchSpec noKernel = new VmLaunchSpec(good.instanceId(), good.runDir(), good.consoleLog(), dir.resolve("absent-kernel").toString(),
                null, null, 1, 1, good.memoryBytes(), 0, false, List.of(), List.of(), List.of());
        assertThatThrownBy(() -> hypervisor().launch(noKernel)).isInstanceOfSatisfying(HypervisorException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.REFUSED);
            assertThat(e.chain()).contains("The VM could not boot");
        });
        assertThat(Files.exists(good.runDir().resolve("api.sock"))).isFalse();
    }

    @Test
    void aMissingBinaryIsUnavailable() {
        CloudHypervisor missing = new CloudHypervisor(dir.resolve("no-such-cloud-hypervisor"));
        assertThatThrownBy(() -> missing.launch(SimulatorFixture.launchSpec(dir, 1, false, List.of())))
                .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE))
                .hasMessageContaining("no-such-cloud-hypervisor");
    }

    @Test
    void aGuestPowerOffMakesAReattachedVmDead() throws Exception {
        try (SimulatorFixture sim = new SimulatorFixture(ApiVersion.V53, Duration.ofMillis(50), true)) {
            SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
            try (CloudHypervisorClient c = new CloudHypervisorClient(vmm.socket())) {
                c.createVm(SpecMapping.vm(SimulatorFixture.launchSpec(dir, 1, false, List.of()), 1, List.of()));
                c.bootVm();
            }
            try (RunningVm vm = hypervisor().reattach(new VmEndpoint(HypervisorKind.CLOUD_HYPERVISOR, vmm.socket(), 0, null))) {
                assertThat(vm.alive()).isTrue();
                assertThat(vm.snapshot().state()).isEqualTo(VmRunState.RUNNING);
                vmm.guestPowerOff();
                assertThat(vm.alive()).isFalse();
                assertThatThrownBy(vm::snapshot)
                        .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
            }
            sim.assertRequestsConform();
        }
    }

    private static String sessionOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return f[3];
    }
}
