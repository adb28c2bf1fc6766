package dev.form.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.vmm.testing.OpenApiContract;
import dev.form.vmm.testing.ServiceHarness;
import dev.form.vmm.testing.SignedClient;
import dev.form.testkit.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A share served by a real virtiofsd that the service starts and supervises: started for the add,
 * taken over after a service restart, started again when the VM is re-created, stopped on remove.
 */
class VirtiofsShareTest {
    private static final Path VIRTIOFSD = Path.of("/usr/lib/qemu/virtiofsd");

    @TempDir
    Path tmp;

    private static Optional<ProcessHandle> daemonServing(Path socket) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("virtiofsd") && c.contains(socket.toString())).orElse(false))
                .findFirst();
    }

    @Test
    void oneSupervisedVirtiofsdPerShare() throws Exception {
        Prerequisites.require(Files.isExecutable(VIRTIOFSD), "virtiofsd at " + VIRTIOFSD + " (Debian package qemu-system-common)");
        Prerequisites.require("root".equals(System.getProperty("user.name")), "root, for virtiofsd's chroot sandbox");
        try (ServiceHarness h = new ServiceHarness(tmp, Duration.ofSeconds(5)).start()) {
            SignedClient admin = h.adminClient();
            assertThat(admin.post("/v1/instances", h.createRequest("files")).status()).isEqualTo(201);
            Path share = Files.createDirectories(h.dataDir.resolve("shares/project"));
            Files.writeString(share.resolve("hello.txt"), "hi");

            SignedClient.Reply r = admin.post("/v1/instances/files/filesystems", Map.of("fsId", "proj", "tag", "project", "source", "project"));
            OpenApiContract.check(r);
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            assertThat(r.json().get("source").asText()).isEqualTo(share.toRealPath().toString());
            Path socket = h.dataDir.resolve("sockets/virtiofsd/" + h.instance("files").id() + "-proj.sock");
            assertThat(socket).exists();
            ProcessHandle daemon = daemonServing(socket).orElseThrow(() -> new AssertionError("no virtiofsd serves " + socket));

            SignedClient.Reply outside = admin.post("/v1/instances/files/filesystems", Map.of("tag", "etc", "source", "/etc"));
            OpenApiContract.check(outside);
            assertThat(outside.status()).isEqualTo(403);
            assertThat(outside.code()).isEqualTo("policy_denied");

            h.restart();
            admin = h.adminClient();
            assertThat(daemon.isAlive()).as("the daemon outlives a service restart").isTrue();

            assertThat(admin.post("/v1/instances/files/stop", null).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> !daemon.isAlive());
            SignedClient.Reply started = admin.post("/v1/instances/files/start", null);
            assertThat(started.status()).as(started.toString()).isEqualTo(200);
            ProcessHandle again = daemonServing(socket).orElseThrow(() -> new AssertionError("start did not bring the share's virtiofsd back"));
            JsonNode res = started.json().get("resources");
            assertThat(res.get(0).get("state").asText()).isEqualTo("attached");

            SignedClient.Reply removed = admin.delete("/v1/instances/files/resources/proj");
            assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
            assertThat(removed.json().get("state").asText()).isEqualTo("removed");
            await().atMost(Duration.ofSeconds(15)).until(() -> !again.isAlive());
            assertThat(socket).doesNotExist();
        }
    }
}
