package dev.form.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.testkit.guest.GuestConsole;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** SIGKILL of the service, and of a VM's QEMU process: what survives, what comes back, what the records say. */
@Tag("qemu")
class CrashE2eTest {
    private static E2eHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = E2eHost.start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) host.close();
    }

    @AfterEach
    void deleteVms() {
        if (host.service.alive()) host.deleteAll();
    }

    @Test
    void killingTheServiceLeavesTheVmRunningAndItsRecordsRight() throws Exception {
        E2eHost.Guest vm = host.launch("e2e-svc-crash");
        host.image("k1.raw", 4L << 20, new byte[16]);
        host.form("manage", "add", "disk", "-n", vm.name(), "--path", "k1.raw", "--disk-id", "k1", "--serial", "E2EK1").ok();
        vm.console().awaitEvent("disk-added", E2eHost.GUEST, "serial", "E2EK1");
        ProcessHandle qemu = host.qemuOf(vm).orElseThrow();

        host.service.kill9();
        assertThat(host.form("manage", "show", "-n", vm.name()).exitCode()).as("no service: unreachable").isEqualTo(7);
        // The guest lives on without the service: its disk probe runs and it keeps reporting.
        Thread.sleep(1500);
        assertThat(qemu.isAlive()).as("QEMU outlives the service").isTrue();

        host.service.restart();
        JsonNode shown = host.form("manage", "show", "-n", vm.name(), "--json").ok().json();
        assertThat(shown.path("state").asText()).isEqualTo("running");
        assertThat(HotplugE2eTest.resource(shown, "k1").path("state").asText()).isEqualTo("attached");
        assertThat(HotplugE2eTest.resource(shown, "k1").path("serial").asText()).isEqualTo("E2EK1");
        assertThat(host.qemuOf(vm)).as("the same QEMU, re-attached rather than relaunched").contains(qemu);

        // The console keeps advancing: the re-attached service hot-adds into the same, still running guest.
        long consoleBefore = Files.size(vm.console().file());
        host.image("k2.raw", 2L << 20, new byte[16]);
        host.form("manage", "add", "disk", "-n", vm.name(), "--path", "k2.raw", "--disk-id", "k2", "--serial", "E2EK2").ok();
        vm.console().awaitEvent("disk-added", E2eHost.GUEST, "serial", "E2EK2");
        assertThat(Files.size(vm.console().file())).isGreaterThan(consoleBefore);
        host.form("manage", "remove", "-n", vm.name(), "k1", "--wait").ok();
        vm.console().awaitEvent("disk-removed", E2eHost.GUEST, "serial", "E2EK1");
        JsonNode after = host.form("manage", "show", "-n", vm.name(), "--json").ok().json();
        assertThat(HotplugE2eTest.resource(after, "k1").isMissingNode()).isTrue();
        assertThat(HotplugE2eTest.resource(after, "k2").path("state").asText()).isEqualTo("attached");
    }

    @Test
    void killingTheServiceDuringAnAddLeavesRecordAndGuestAgreeing() throws Exception {
        E2eHost.Guest vm = host.launch("e2e-mid-add");
        Path image = host.image("m1.raw", 4L << 20, new byte[16]);
        Thread add = new Thread(() -> host.form("manage", "add", "disk", "-n", vm.name(), "--path", "m1.raw", "--disk-id", "m1",
                "--serial", "E2EM1"));
        add.start();
        Thread.sleep(250);
        host.service.kill9();
        add.join(60_000);

        host.service.restart();
        JsonNode m1 = HotplugE2eTest.resource(host.form("manage", "show", "-n", vm.name(), "--json").ok().json(), "m1");
        // Whatever the crash interrupted, the restarted service settled it one way or the other; the guest agrees.
        boolean recorded = !m1.isMissingNode();
        if (recorded) assertThat(m1.path("state").asText()).as("no half-way record left").isEqualTo("attached");
        ProcessHandle qemu = host.qemuOf(vm).orElseThrow();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> lines = vm.console().lines();
            long added = lines.stream().filter(l -> l.contains("disk-added") && l.contains("serial=E2EM1")).count();
            long removed = lines.stream().filter(l -> l.contains("disk-removed") && l.contains("serial=E2EM1")).count();
            assertThat(added - removed).as("disks E2EM1 the guest has, recorded: " + recorded).isEqualTo(recorded ? 1 : 0);
            assertThat(E2eHost.holdsOpen(qemu, image)).as("QEMU holds the image").isEqualTo(recorded);
        });
        // And the service goes on working for this VM.
        if (recorded) host.form("manage", "remove", "-n", vm.name(), "m1", "--wait").ok();
        else host.form("manage", "add", "disk", "-n", vm.name(), "--path", "m1.raw", "--disk-id", "m1", "--serial", "E2EM1B").ok();
    }

    @Test
    void startBringsAKilledVmBackWithItsResources() throws Exception {
        E2eHost.Guest vm = host.launch("e2e-qemu-crash");
        byte[] head = "survives a crash".getBytes(StandardCharsets.US_ASCII);
        Path image = host.image("c1.raw", 4L << 20, head);
        host.form("manage", "add", "disk", "-n", vm.name(), "--path", "c1.raw", "--disk-id", "c1", "--serial", "E2EC1").ok();
        vm.console().awaitEvent("disk-added", E2eHost.GUEST, "serial", "E2EC1");

        ProcessHandle qemu = host.qemuOf(vm).orElseThrow();
        qemu.destroyForcibly();
        qemu.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !host.form("manage", "show", "-n", vm.name(), "--json").ok().json().path("state").asText().equals("running"));

        GuestConsole console = GuestConsole.fromEnd(vm.console().file());
        host.form("manage", "start", "-n", vm.name()).ok();
        console.awaitEvent("ready", E2eHost.BOOT);
        // Booted with the disk on its command line again: the guest finds it as it starts.
        assertThat(console.awaitEvent("disk-added", E2eHost.GUEST, "serial", "E2EC1").fields())
                .containsEntry("head", HexFormat.of().formatHex(head));
        ProcessHandle relaunched = host.qemuOf(vm).orElseThrow();
        assertThat(relaunched.pid()).isNotEqualTo(qemu.pid());
        assertThat(E2eHost.holdsOpen(relaunched, image)).isTrue();
        JsonNode shown = host.form("manage", "show", "-n", vm.name(), "--json").ok().json();
        assertThat(shown.path("state").asText()).isEqualTo("running");
        assertThat(HotplugE2eTest.resource(shown, "c1").path("state").asText()).isEqualTo("attached");
    }
}
