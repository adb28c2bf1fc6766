package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.hypervisor.cloudhypervisor.model.DiskConfig;
import dev.form.hypervisor.cloudhypervisor.model.ImageType;
import dev.form.testkit.chsim.ApiVersion;
import dev.form.testkit.chsim.SimulatedVmm;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same mistakes against v52, v53 and v54 servers: the statuses differ (api-notes §1.4), the
 * kinds the driver reports do not, and the whole chain is kept every time.
 */
class ErrorMappingByVersionTest {

    static final Map<ApiVersion, SimulatorFixture> SIMS = new EnumMap<>(ApiVersion.class);

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        for (ApiVersion v : ApiVersion.values()) SIMS.put(v, new SimulatorFixture(v, Duration.ofMillis(50), true));
    }

    @AfterAll
    static void stop() {
        SIMS.values().forEach(SimulatorFixture::close);
    }

    @AfterEach
    void everyBodyConformsToTheSpec() {
        SIMS.values().forEach(SimulatorFixture::assertRequestsConform);
    }

    private static int status(ApiVersion v, int v52, int v53, int v54) {
        return switch (v) {
            case V52 -> v52;
            case V53 -> v53;
            case V54 -> v54;
        };
    }

    private static void assertRefused(ThrowingCallable call, Kind kind, int status, String inChain) {
        assertThatThrownBy(call).isInstanceOfSatisfying(HypervisorException.class, e -> {
            assertThat(e.kind()).as("kind of %s", e.getMessage()).isEqualTo(kind);
            assertThat(e.status()).as("status of %s", e.getMessage()).isEqualTo(status);
            assertThat(e.chain()).first().isEqualTo("Error from API");
            assertThat(e.chain()).anyMatch(m -> m.contains(inChain));
        });
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void readsTheVersionFromPing(ApiVersion v) throws Exception {
        SimulatedVmm vmm = SIMS.get(v).serve(dir.resolve("api.sock"));
        try (CloudHypervisorClient client = new CloudHypervisorClient(vmm.socket())) {
            assertThat(client.version().major()).isEqualTo(Integer.parseInt(v.version().split("\\.")[0]));
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void withoutAVm(ApiVersion v) throws Exception {
        SimulatedVmm vmm = SIMS.get(v).serve(dir.resolve("api.sock"));
        try (CloudHypervisorClient client = new CloudHypervisorClient(vmm.socket())) {
            assertRefused(client::info, Kind.NOT_FOUND, status(v, 500, 404, 404), "VM is not created");
            assertRefused(client::bootVm, Kind.NOT_FOUND, status(v, 500, 404, 404), "VM config is missing");
            // Lifecycle calls without a VM are 500 "not running" on every release (#8678).
            assertRefused(client::shutdownVm, Kind.WRONG_STATE, 500, "VM is not running");
            // vm.delete without a VM is idempotent.
            client.deleteVm();
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void onARunningVm(ApiVersion v) throws Exception {
        SimulatedVmm vmm = SIMS.get(v).serve(dir.resolve("api.sock"));
        try (CloudHypervisorClient client = new CloudHypervisorClient(vmm.socket())) {
            client.createVm(SpecMapping.vm(SimulatorFixture.launchSpec(dir, 1, false, List.of()), 1, List.of()));
            assertRefused(() -> client.createVm(SpecMapping.vm(SimulatorFixture.launchSpec(dir, 1, false, List.of()), 1, List.of())),
                    Kind.WRONG_STATE, 500, "VM is already created");
            client.bootVm();
            assertRefused(client::bootVm, Kind.WRONG_STATE, 500, "VM is already created");

            Path image = SimulatorFixture.rawImage(dir, "d.raw");
            client.addDisk(DiskConfig.withDefaults("data1", image.toString(), ImageType.Raw).withReadonly(true));
            assertRefused(() -> client.addDisk(DiskConfig.withDefaults("data1", image.toString(), ImageType.Raw).withReadonly(true)),
                    Kind.CONFLICT, status(v, 500, 500, 409), "not unique");
            assertRefused(() -> client.removeDevice("nope"), Kind.NOT_FOUND, status(v, 500, 500, 404), "nope");
            // What only the VM knows (its vCPU count) reaches the server's validation: 400 on v54.
            assertRefused(() -> client.addDisk(DiskConfig.withDefaults("wide", image.toString(), ImageType.Raw)
                    .withReadonly(true).withQueues(4, 128)), Kind.REFUSED, status(v, 500, 500, 400), "Failed to validate config");
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void repeatedRemovalBeforeTheEject(ApiVersion v) throws Exception {
        SimulatorFixture slow = new SimulatorFixture(v, Duration.ofSeconds(30), true);
        try (slow; CloudHypervisorClient client = new CloudHypervisorClient(slow.serve(dir.resolve("api.sock")).socket())) {
            client.createVm(SpecMapping.vm(SimulatorFixture.launchSpec(dir, 1, false, List.of()), 1, List.of()));
            client.bootVm();
            client.addDisk(DiskConfig.withDefaults("d1", SimulatorFixture.rawImage(dir, "d.raw").toString(), ImageType.Raw));
            client.removeDevice("d1");
            if (v == ApiVersion.V54) {
                client.removeDevice("d1"); // retryable on HEAD
            } else {
                assertRefused(() -> client.removeDevice("d1"), Kind.NOT_FOUND, 500, "d1");
            }
            // The id stays taken until the guest ejects.
            assertRefused(() -> client.addDisk(DiskConfig.withDefaults("d1", SimulatorFixture.rawImage(dir, "e.raw").toString(), ImageType.Raw)),
                    Kind.CONFLICT, 500, "not unique");
            slow.assertRequestsConform();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ApiVersion.class, names = {"V52", "V53"})
    void theHttpLayersOwnRefusalIsAProtocolError(ApiVersion v) throws Exception {
        SimulatedVmm vmm = SIMS.get(v).serve(dir.resolve("api.sock"));
        try (CloudHypervisorClient client = new CloudHypervisorClient(vmm.socket())) {
            VmLaunchSpec spec = SimulatorFixture.launchSpec(dir, 1, false, List.of());
            VmLaunchSpec huge = new VmLaunchSpec(spec.instanceId(), spec.runDir(), spec.consoleLog(), spec.kernel(), null,
                    "x".repeat(60 * 1024), 1, 1, spec.memoryBytes(), 0, false, List.of(), List.of(), List.of());
            assertThatThrownBy(() -> client.createVm(SpecMapping.vm(huge, 1, List.of())))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.chain()).isNotEmpty().noneMatch(m -> m.contains("\n"));
                    });
            assertThat(client.ping().version()).isEqualTo(v.version());
            assertRefused(client::info, Kind.NOT_FOUND, status(v, 500, 404, 404), "VM is not created");
        }
    }
}
