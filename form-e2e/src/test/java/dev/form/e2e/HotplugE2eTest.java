package dev.form.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.testkit.guest.GuestLine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hot-add and hot-remove through the real CLI into one running QEMU guest, each proven by what the guest
 * itself reports on its console, and by what the host holds open afterwards.
 */
@Tag("qemu")
class HotplugE2eTest {
    private static E2eHost host;
    private static E2eHost.Guest vm;

    @BeforeAll
    static void boot() throws Exception {
        host = E2eHost.start();
        vm = host.launch("e2e-hotplug", "share1", "share2");
    }

    @AfterAll
    static void shutDown() throws Exception {
        if (host != null) host.close();
    }

    @Test
    void diskIsSeenWithItsSizeSerialAndBytesAndReleasedOnRemoval() throws Exception {
        byte[] head = "form e2e disk#1\n".getBytes(StandardCharsets.US_ASCII);
        Path image = host.image("d1.raw", 8L << 20, head);

        host.form("manage", "add", "disk", "-n", vm.name(), "--path", "d1.raw", "--disk-id", "d1", "--serial", "E2ED1").ok();
        GuestLine seen = vm.console().awaitEvent("disk-added", E2eHost.GUEST, "serial", "E2ED1");
        assertThat(seen.fields()).containsEntry("size", Long.toString(8L << 20)).containsEntry("ro", "0")
                .containsEntry("head", HexFormat.of().formatHex(head));
        assertThat(vm.console().awaitEvent("disk-write", E2eHost.GUEST, "serial", "E2ED1").fields()).containsEntry("result", "allowed");
        ProcessHandle qemu = host.qemuOf(vm).orElseThrow();
        assertThat(E2eHost.holdsOpen(qemu, image)).as("QEMU has the image open").isTrue();
        JsonNode shown = host.form("manage", "show", "-n", vm.name(), "--json").ok().json();
        assertThat(resource(shown, "d1").path("state").asText()).isEqualTo("attached");

        CliResult removed = host.form("manage", "remove", "-n", vm.name(), "d1", "--wait").ok();
        assertThat(removed.out()).contains("removed");
        vm.console().awaitEvent("disk-removed", E2eHost.GUEST, "serial", "E2ED1");
        assertThat(E2eHost.holdsOpen(qemu, image)).as("QEMU closed the image").isFalse();
        assertThat(resource(host.form("manage", "show", "-n", vm.name(), "--json").ok().json(), "d1").isMissingNode()).isTrue();

        // Released for real: QEMU locks an image it writes, so a second read-write attach would be refused if it still held it.
        host.form("manage", "add", "disk", "-n", vm.name(), "--path", "d1.raw", "--disk-id", "d1again", "--serial", "E2ED1B").ok();
        assertThat(vm.console().awaitEvent("disk-write", E2eHost.GUEST, "serial", "E2ED1B").fields()).containsEntry("result", "allowed");
        host.form("manage", "remove", "-n", vm.name(), "d1again", "--wait").ok();
        vm.console().awaitEvent("disk-removed", E2eHost.GUEST, "serial", "E2ED1B");
    }

    @Test
    void readOnlyDiskRefusesWritesInTheGuest() throws Exception {
        byte[] head = "read only please".getBytes(StandardCharsets.US_ASCII);
        Path image = host.image("ro.raw", 4L << 20, head);

        host.form("manage", "add", "disk", "-n", vm.name(), "--path", "ro.raw", "--disk-id", "ro1", "--serial", "E2ERO", "--readonly").ok();
        GuestLine seen = vm.console().awaitEvent("disk-added", E2eHost.GUEST, "serial", "E2ERO");
        assertThat(seen.fields()).containsEntry("ro", "1").containsEntry("head", HexFormat.of().formatHex(head));
        assertThat(vm.console().awaitEvent("disk-write", E2eHost.GUEST, "serial", "E2ERO").fields()).containsEntry("result", "refused");
        assertThat(Files.readAllBytes(image)).startsWith(head);

        host.form("manage", "remove", "-n", vm.name(), "ro1", "--wait").ok();
        vm.console().awaitEvent("disk-removed", E2eHost.GUEST, "serial", "E2ERO");
    }

    @Test
    void shareIsMountedReadAndWrittenAndItsVirtiofsdEndsOnRemoval() throws Exception {
        E2eHost.requireVirtiofs();
        Path share = host.share("s1", "hello from the e2e host");

        host.form("manage", "add", "fs", "-n", vm.name(), "--source", "s1", "--tag", "share1", "--fs-id", "f1").ok();
        vm.console().awaitEvent("fs-mounted", E2eHost.GUEST, "tag", "share1");
        assertThat(vm.console().awaitEvent("fs-read", E2eHost.GUEST, "tag", "share1").fields())
                .containsEntry("hello", "hello from the e2e host");
        vm.console().awaitEvent("fs-wrote", E2eHost.GUEST, "tag", "share1");
        assertThat(Files.readString(share.resolve("from-guest.txt"))).contains("written by the guest through share1");
        assertThat(host.virtiofsdFor(share)).as("a virtiofsd serves the share").isNotEmpty();

        host.form("manage", "remove", "-n", vm.name(), "f1", "--wait").ok();
        vm.console().awaitEvent("fs-removed", E2eHost.GUEST, "tag", "share1");
        await().atMost(Duration.ofSeconds(15)).until(() -> host.virtiofsdFor(share).isEmpty());
    }

    @Test
    void queuedAddAndRemoveWaitForTheirOutcome() throws Exception {
        byte[] head = "through the queue".getBytes(StandardCharsets.US_ASCII);
        host.image("q1.raw", 2L << 20, head);

        CliResult added = host.form("manage", "add", "disk", "-n", vm.name(), "--path", "q1.raw", "--disk-id", "q1",
                "--serial", "E2EQ1", "--queue", "--wait", "--timeout", "60s").ok();
        assertThat(added.out()).contains("q1");
        GuestLine seen = vm.console().awaitEvent("disk-added", E2eHost.GUEST, "serial", "E2EQ1");
        assertThat(seen.fields()).containsEntry("size", Long.toString(2L << 20)).containsEntry("head", HexFormat.of().formatHex(head, 0, 16));
        vm.console().awaitEvent("disk-write", E2eHost.GUEST, "serial", "E2EQ1");

        host.form("manage", "remove", "-n", vm.name(), "q1", "--queue", "--wait", "--timeout", "60s").ok();
        vm.console().awaitEvent("disk-removed", E2eHost.GUEST, "serial", "E2EQ1");
        assertThat(resource(host.form("manage", "show", "-n", vm.name(), "--json").ok().json(), "q1").isMissingNode()).isTrue();
    }

    @Test
    void binFormAsAProcessHotAddsAndRemoves() throws Exception {
        host.image("p1.raw", 1L << 20, "bin/form as user".getBytes(StandardCharsets.US_ASCII));
        Duration limit = Duration.ofSeconds(120);

        CliResult added = RepoScripts.binForm(host.env(), limit, "manage", "add", "disk", "-n", vm.name(), "--path", "p1.raw",
                "--disk-id", "p1", "--serial", "E2EP1").ok();
        assertThat(added.out()).contains("attached disk p1");
        assertThat(vm.console().awaitEvent("disk-added", E2eHost.GUEST, "serial", "E2EP1").fields()).containsEntry("size", "1048576");
        vm.console().awaitEvent("disk-write", E2eHost.GUEST, "serial", "E2EP1");

        CliResult bad = RepoScripts.binForm(host.env(), limit, "manage", "add", "disk", "-n", vm.name(), "--path", "p1.raw", "--disk-id", "p1");
        assertThat(bad.exitCode()).as(bad.toString()).isNotZero();
        assertThat(bad.err()).doesNotContain("Exception").doesNotContain("\tat ");

        RepoScripts.binForm(host.env(), limit, "manage", "remove", "-n", vm.name(), "p1", "--wait").ok();
        vm.console().awaitEvent("disk-removed", E2eHost.GUEST, "serial", "E2EP1");
    }

    static JsonNode resource(JsonNode instance, String id) {
        for (JsonNode r : instance.path("resources")) if (id.equals(r.path("id").asText())) return r;
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
