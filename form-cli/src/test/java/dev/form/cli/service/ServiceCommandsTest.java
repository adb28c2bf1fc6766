package dev.form.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.cli.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every manage command and its flags through the real entry point, in-process, against a real service
 * (Cloud Hypervisor simulator behind it): human lines, --json documents, and every error class with its exit code.
 * One instance for the whole class, walked through its life in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceCommandsTest {
    private Path dir;
    private RunningService service;
    private String instanceId;

    @BeforeAll
    void startService() throws Exception {
        dir = Files.createTempDirectory("form-cli-service");
        service = new RunningService(dir);
    }

    @AfterAll
    void stopService() {
        if (service != null) {
            service.cli().run("manage", "delete", "-n", "web", "--purge");
            service.close();
        }
        RunningService.deleteTree(dir);
    }

    private CliRun.Result ok(String... args) {
        CliRun.Result r = service.cli().run(args);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    private CliRun.Result fails(int exitCode, String... args) {
        CliRun.Result r = service.cli().run(args);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(exitCode);
        assertThat(r.err()).as(r.toString()).startsWith("error: ").doesNotContain("\tat ", "Exception");
        assertThat(r.err().lines().filter(l -> l.startsWith("error: ")).count()).isEqualTo(1);
        return r;
    }

    @Test
    @Order(1)
    void createAnInstance() {
        CliRun.Result human = ok("manage", "create", "--name", "web", "--kernel", service.kernel().toString(), "--cmdline", "console=ttyS0",
                "--cpus", "2", "--memory", "512M", "--max-cpus", "4", "--max-memory", "1G", "--autostart");
        assertThat(human.out()).matches("created web \\(id [^)]+\\): running, 2 CPUs, 512M memory\\n");
        assertThat(human.err()).isEmpty();

        JsonNode shown = ok("manage", "show", "-n", "web", "--json").json();
        instanceId = shown.get("id").asText();
        assertThat(shown.get("name").asText()).isEqualTo("web");
        assertThat(shown.get("state").asText()).isEqualTo("running");
        assertThat(shown.get("owner").asText()).isEqualTo(RunningService.ADMIN_ADDRESS);
        assertThat(shown.get("cpus").asInt()).isEqualTo(2);
        assertThat(shown.get("maxCpus").asInt()).isEqualTo(4);
        assertThat(shown.get("memoryBytes").asLong()).isEqualTo(512L << 20);
        assertThat(shown.get("maxMemoryBytes").asLong()).isEqualTo(1L << 30);
        assertThat(shown.get("sharedMemory").asBoolean()).isTrue();
        assertThat(shown.get("autostart").asBoolean()).isTrue();
        assertThat(shown.get("hypervisor").asText()).isEqualTo("cloud-hypervisor");
    }

    @Test
    @Order(2)
    void createWithJsonAndNoSharedMemory() {
        JsonNode created = ok("manage", "create", "--name", "plain", "--kernel", service.kernel().toString(), "--memory", "256M",
                "--no-shared-memory", "--json").json();
        assertThat(created.get("name").asText()).isEqualTo("plain");
        assertThat(created.get("sharedMemory").asBoolean()).isFalse();
        assertThat(created.get("autostart").asBoolean()).isFalse();
        // A second instance of the same name is a conflict.
        fails(5, "manage", "create", "--name", "plain", "--kernel", service.kernel().toString());
        // A share needs shared memory: wrong state.
        CliRun.Result r = fails(5, "manage", "add", "fs", "-n", "plain", "--source", service.dataDir().resolve("shares").toString(), "--tag", "t");
        assertThat(r.err()).contains("shared memory").contains("hint: ");
        CliRun.Result deleted = ok("manage", "delete", "-n", "plain");
        assertThat(deleted.out()).isEqualTo("deleted plain\n");
        fails(4, "manage", "show", "-n", "plain");
    }

    @Test
    @Order(3)
    void listAsTableAndJson() {
        CliRun.Result table = ok("manage", "list");
        assertThat(table.out().lines().findFirst().orElseThrow()).matches("NAME +ID +STATE +CPUS +MEMORY +RESOURCES +OWNER");
        assertThat(table.out()).contains("web").contains(instanceId).contains("running").contains("512M");
        JsonNode list = ok("manage", "ls", "--json").json();
        assertThat(list.isArray()).isTrue();
        assertThat(list.findValuesAsText("name")).contains("web");
    }

    @Test
    @Order(10)
    void addADiskByNameAndById() {
        CliRun.Result human = ok("manage", "add", "disk", "-n", "web", "--path", "data1.raw", "--size", "64M", "--disk-id", "data1");
        assertThat(human.out()).matches("attached disk data1 \\(64M raw\\) to web at [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]\\n");

        JsonNode json = ok("manage", "add", "disk", "-i", instanceId, "--path", "data2.raw", "--size", "1G", "--disk-id", "data2",
                "--readonly", "--serial", "SER2", "--num-queues", "2", "--queue-size", "128",
                "--bw-size", "10M", "--bw-refill-ms", "100", "--bw-one-time-burst", "20M",
                "--ops-size", "1000", "--ops-refill-ms", "1000", "--ops-one-time-burst", "100", "--json").json();
        assertThat(json.get("id").asText()).isEqualTo("data2");
        assertThat(json.get("kind").asText()).isEqualTo("disk");
        assertThat(json.get("state").asText()).isEqualTo("attached");
        assertThat(json.get("pciAddress").asText()).matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
        assertThat(json.get("sizeBytes").asLong()).isEqualTo(1L << 30);
        assertThat(json.get("readonly").asBoolean()).isTrue();
        assertThat(json.get("serial").asText()).isEqualTo("SER2");
        assertThat(json.get("format").asText()).isEqualTo("raw");
    }

    @Test
    @Order(11)
    void addDiskWithDirectIo() {
        CliRun.Result r = ok("manage", "add", "disk", "-n", "web", "--path", "data3.raw", "--size", "1M", "--direct", "--disk-id", "data3");
        assertThat(r.out()).startsWith("attached disk data3 (1M raw) to web at ");
    }

    @Test
    @Order(12)
    void invalidInputNamesTheFieldAndExitsTwo() {
        CliRun.Result r = fails(2, "manage", "add", "disk", "-n", "web", "--path", "q.raw", "--size", "1M", "--num-queues", "9");
        assertThat(r.err()).contains("numQueues").contains("hint: ");
        JsonNode err = service.cli().run("manage", "add", "disk", "-n", "web", "--path", "q.raw", "--size", "1M", "--queue-size", "3", "--json").json();
        assertThat(err.at("/error/code").asText()).isEqualTo("invalid_input");
        assertThat(err.at("/error/field").asText()).isEqualTo("queueSize");
        assertThat(err.at("/error/status").asInt()).isEqualTo(400);
        assertThat(err.at("/error/exitCode").asInt()).isEqualTo(2);
    }

    @Test
    @Order(13)
    void conflictExitsFive() {
        CliRun.Result r = fails(5, "manage", "add", "disk", "-n", "web", "--path", "data1.raw", "--disk-id", "data1");
        assertThat(r.err()).contains("data1").contains("[conflict]");
    }

    @Test
    @Order(14)
    void policyDeniedExitsThree() {
        CliRun.Result device = fails(3, "manage", "add", "device", "-n", "web", "--path", "0000:01:00.0", "--device-id", "gpu0");
        assertThat(device.err()).contains("0000:01:00.0").contains("[policy_denied]").contains("hint: ");
        CliRun.Result sysfs = fails(2, "manage", "add", "device", "-n", "web", "--path", "/sys/bus/pci/devices/0000:01:00.0", "--iommu");
        assertThat(sysfs.err()).contains("/sys/bus/pci/devices/0000:01:00.0").contains("[invalid_input]");
        CliRun.Result share = fails(3, "manage", "add", "fs", "-n", "web", "--source", "/etc", "--tag", "etc");
        assertThat(share.err()).contains("/etc").contains("[policy_denied]");
    }

    @Test
    @Order(15)
    void notFoundExitsFour() {
        CliRun.Result r = fails(4, "manage", "add", "disk", "-n", "ghost", "--path", "x.raw", "--size", "1M");
        assertThat(r.err()).contains("ghost").contains("[not_found]");
        fails(4, "manage", "remove", "-n", "web", "no-such-disk");
    }

    @Test
    @Order(16)
    void hypervisorRefusalExitsSixWithItsMessageChain() throws Exception {
        // A vhost-user socket nobody listens on: the service accepts the request, the hypervisor refuses it.
        Path socket = service.dataDir().resolve("sockets").resolve("dead.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
        }
        CliRun.Result r = service.cli().run("manage", "add", "fs", "-n", "web",
                "--tag", "dead", "--socket", socket.toString(), "--fs-id", "dead", "--num-queues", "1", "--queue-size", "1024");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.err()).startsWith("error: ").contains("[hypervisor_refused]").doesNotContain("\tat ");
        JsonNode json = service.cli().run("manage", "add", "fs", "-n", "web", "--tag", "dead", "--socket", socket.toString(), "--json").json();
        assertThat(json.at("/error/code").asText()).isEqualTo("hypervisor_refused");
        assertThat(json.at("/error/status").asInt()).isEqualTo(502);
        assertThat(json.at("/error/exitCode").asInt()).isEqualTo(6);
        JsonNode after = ok("manage", "show", "-n", "web", "--json").json();
        assertThat(after.get("resources").findValuesAsText("id")).doesNotContain("dead");
    }

    @Test
    @Order(17)
    void batchIsAllOrNothing() throws Exception {
        Path file = dir.resolve("batch.json");
        Files.writeString(file, """
                [{"kind":"disk","path":"b1.raw","sizeBytes":1048576,"diskId":"b1"},
                 {"kind":"disk","path":"b2.raw","sizeBytes":1048576,"diskId":"b2"}]""");
        CliRun.Result human = ok("manage", "add", "batch", "-n", "web", "--file", file.toString());
        assertThat(human.out().lines()).hasSize(2).allMatch(l -> l.startsWith("attached disk b"));

        Files.writeString(file, """
                [{"kind":"disk","path":"b3.raw","sizeBytes":1048576,"diskId":"b3"},
                 {"kind":"disk","path":"b4.raw","sizeBytes":1048576,"diskId":"b1"}]""");
        fails(5, "manage", "add", "batch", "-n", "web", "--file", file.toString());
        assertThat(ok("manage", "show", "-n", "web", "--json").json().get("resources").findValuesAsText("id")).doesNotContain("b3");

        CliRun.Result fromStdin = service.cli().stdin("[{\"kind\":\"disk\",\"path\":\"b5.raw\",\"sizeBytes\":1048576,\"diskId\":\"b5\"}]")
                .run("manage", "add", "batch", "-n", "web", "--file", "-", "--json");
        assertThat(fromStdin.exitCode()).as(fromStdin.toString()).isZero();
        assertThat(fromStdin.json().get(0).get("id").asText()).isEqualTo("b5");

        Files.writeString(file, "[{\"kind\":\"floppy\"}]");
        CliRun.Result bad = fails(2, "manage", "add", "batch", "-n", "web", "--file", file.toString());
        assertThat(bad.err()).contains("kind");
    }

    @Test
    @Order(20)
    void showListsResourcesAndGrants() {
        ok("manage", "grant", "-n", "web", "--address", RunningService.OTHER_ADDRESS.toLowerCase(), "--level", "operator");
        CliRun.Result human = ok("manage", "show", "-n", "web");
        assertThat(human.out()).contains("name:        web").contains("resources:").contains("data1").contains("data2")
                .contains("grants:").containsIgnoringCase(RunningService.OTHER_ADDRESS).contains("operator");
        JsonNode json = ok("manage", "show", "-i", instanceId, "--json").json();
        assertThat(json.get("grants").findValuesAsText("address").stream().map(String::toLowerCase))
                .contains(RunningService.OTHER_ADDRESS.toLowerCase());
    }

    @Test
    @Order(21)
    void anotherKeyIsRefusedWhatItsLevelDoesNotAllow() {
        CliRun.Result r = service.cliAs(RunningService.OTHER_KEY).run("manage", "add", "disk", "-n", "web", "--path", "x.raw", "--size", "1M");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("[forbidden]");
        CliRun.Result view = service.cliAs(RunningService.OTHER_KEY).run("manage", "show", "-n", "web", "--json");
        assertThat(view.exitCode()).as(view.toString()).isZero();
        CliRun.Result revoked = ok("manage", "revoke", "-n", "web", "--address", RunningService.OTHER_ADDRESS);
        assertThat(revoked.out()).isEqualTo("revoked the grant of " + RunningService.OTHER_ADDRESS + " on web\n");
        CliRun.Result after = service.cliAs(RunningService.OTHER_KEY).run("manage", "show", "-n", "web");
        assertThat(after.exitCode()).as(after.toString()).isIn(3, 4);
        CliRun.Result badLevel = fails(2, "manage", "grant", "-n", "web", "--address", RunningService.OTHER_ADDRESS, "--level", "god");
        assertThat(badLevel.err()).contains("--level");
        fails(2, "manage", "grant", "-n", "web", "--address", "0x1234", "--level", "manager");
    }

    @Test
    @Order(22)
    void unsignedRequestsAreRefusedWith401() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url() + "/v1/instances")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(dev.form.cli.http.ServiceError.exitCodeOf(401, dev.form.core.api.Json.mapper().readValue(r.body(), dev.form.core.api.ErrorBody.class)))
                .isEqualTo(3);
    }

    @Test
    @Order(30)
    void resize() {
        CliRun.Result human = ok("manage", "resize", "-n", "web", "--cpus", "3");
        assertThat(human.out()).startsWith("resized web (id ").contains("3 CPUs");
        JsonNode json = ok("manage", "resize", "-n", "web", "--memory", "768M", "--json").json();
        assertThat(json.get("memoryBytes").asLong()).isEqualTo(768L << 20);
        fails(2, "manage", "resize", "-n", "web");
        CliRun.Result tooMany = service.cli().run("manage", "resize", "-n", "web", "--cpus", "64");
        assertThat(tooMany.exitCode()).as(tooMany.toString()).isIn(2, 5);
        assertThat(tooMany.err()).contains("cpus");
    }

    @Test
    @Order(35)
    void queuedRequestsAndTheirStatus() {
        CliRun.Result queued = ok("manage", "add", "disk", "-n", "web", "--path", "q1.raw", "--size", "1M", "--disk-id", "q1", "--queue");
        assertThat(queued.out()).matches("queued request [0-9a-f]{32} \\(follow it with: form manage status [0-9a-f]{32} --wait\\)\n");
        String requestId = queued.out().split(" ")[2];

        JsonNode done = ok("manage", "status", requestId, "--wait", "--timeout", "60s", "--json").json();
        assertThat(done.get("requestId").asText()).isEqualTo(requestId);
        assertThat(done.get("state").asText()).isEqualTo("done");
        assertThat(done.get("status").asInt()).isEqualTo(201);
        assertThat(done.get("outcome").get("id").asText()).isEqualTo("q1");
        CliRun.Result human = ok("manage", "status", requestId);
        assertThat(human.out()).startsWith("request " + requestId + ": done (201), POST /v1/instances/web/disks");

        JsonNode queuedJson = ok("manage", "add", "disk", "-n", "web", "--path", "q2.raw", "--size", "1M", "--disk-id", "q2", "--queue", "--json").json();
        assertThat(queuedJson.get("requestId").asText()).matches("[0-9a-f]{32}");
        assertThat(queuedJson.get("state").asText()).isEqualTo("queued");

        CliRun.Result waited = ok("manage", "add", "disk", "-n", "web", "--path", "q3.raw", "--size", "1M", "--disk-id", "q3", "--queue", "--wait");
        assertThat(waited.out()).matches("attached disk q3 \\(1M raw\\) to web at .+\n");

        // A queued request that fails: the waiting CLI exits with the failure's own code; status says failed.
        CliRun.Result conflict = fails(5, "manage", "add", "disk", "-n", "web", "--path", "q1.raw", "--disk-id", "q1", "--queue", "--wait");
        assertThat(conflict.err()).contains("[conflict]");
        JsonNode failedJson = service.cli().run("manage", "add", "disk", "-n", "web", "--path", "q1.raw", "--disk-id", "q1", "--queue", "--wait", "--json").json();
        assertThat(failedJson.get("state").asText()).isEqualTo("failed");
        assertThat(failedJson.get("status").asInt()).isEqualTo(409);
        assertThat(failedJson.get("outcome").get("code").asText()).isEqualTo("conflict");

        CliRun.Result removedQueued = ok("manage", "remove", "-n", "web", "q2", "--queue", "--wait", "--timeout", "60s");
        assertThat(removedQueued.out()).isEqualTo("removed disk q2 from web\n");
        ok("manage", "remove", "-n", "web", "q3", "--wait");
        ok("manage", "remove", "-n", "web", "q1", "--wait");
    }

    @Test
    @Order(40)
    void removeWaitsForTheGuest() {
        CliRun.Result human = ok("manage", "remove", "-n", "web", "data1", "--wait", "--timeout", "30s");
        assertThat(human.out()).isEqualTo("removed disk data1 from web\n");
        JsonNode json = ok("manage", "rm", "disk", "-n", "web", "--disk-id", "data2", "--wait", "--json").json();
        assertThat(json.get("id").asText()).isEqualTo("data2");
        assertThat(json.get("state").asText()).isEqualTo("removed");
        CliRun.Result noWait = ok("manage", "remove", "-n", "web", "b1");
        assertThat(noWait.out()).matches("(removed disk b1 from web|removal of disk b1 from web is pending_removal: .*)\\n");
        fails(4, "manage", "rm", "fs", "-n", "web", "--fs-id", "nope");
        fails(4, "manage", "rm", "device", "-n", "web", "--device-id", "nope");
    }

    @Test
    @Order(50)
    void consoleAndAudit() {
        CliRun.Result console = ok("manage", "console", "-n", "web");
        assertThat(console.out()).contains("hot-added");
        JsonNode page = ok("manage", "console", "-n", "web", "--offset", "10", "--json").json();
        assertThat(page.get("offset").asLong()).isEqualTo(10);
        assertThat(page.get("nextOffset").asLong()).isEqualTo(10 + page.get("text").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        fails(2, "manage", "console", "-n", "web", "--follow", "--json");

        CliRun.Result audit = ok("manage", "audit", "-n", "web");
        assertThat(audit.out().lines().findFirst().orElseThrow()).matches("SEQ +AT +CALLER +OPERATION +RESOURCE +OUTCOME +STATUS");
        assertThat(audit.out()).contains("add-disk").contains("remove").contains("resize");
        JsonNode json = ok("manage", "audit", "-n", "web", "--json").json();
        assertThat(json.findValuesAsText("operation")).contains("create", "add-disk", "remove", "resize", "grant");
        assertThat(json.findValuesAsText("caller")).contains(RunningService.ADMIN_ADDRESS);
    }

    @Test
    @Order(60)
    void stopAndStartAndWrongState() {
        CliRun.Result stopped = ok("manage", "stop", "-n", "web");
        assertThat(stopped.out()).startsWith("stopped web (id ").contains(": stopped,");
        // A stopped instance takes the disk into its configuration for its next start.
        CliRun.Result addWhileStopped = ok("manage", "add", "disk", "-n", "web", "--path", "s.raw", "--size", "1M", "--disk-id", "s1");
        assertThat(addWhileStopped.out()).isEqualTo("attached disk s1 (1M raw) to web [recorded]\n");
        JsonNode started = ok("manage", "start", "-i", instanceId, "--json").json();
        assertThat(started.get("state").asText()).isEqualTo("running");
        CliRun.Result again = fails(5, "manage", "start", "-n", "web");
        assertThat(again.err()).contains("running").contains("[wrong_state]");
    }

    @Test
    @Order(70)
    void adoptNeedsARunningHypervisorSocket() {
        CliRun.Result r = service.cli().run("manage", "adopt", "--name", "stray", "--api-socket", dir.resolve("none.sock").toString());
        assertThat(r.exitCode()).as(r.toString()).isIn(2, 3, 4, 6);
        assertThat(r.err()).startsWith("error: ");
    }

    @Test
    @Order(80)
    void statusOfAnUnknownRequest() {
        CliRun.Result r = fails(4, "manage", "status", "0123456789abcdef0123456789abcdef");
        assertThat(r.err()).contains("[not_found]");
    }

    @Test
    @Order(90)
    void deleteWithPurge() {
        CliRun.Result r = ok("manage", "delete", "-n", "web", "--purge");
        assertThat(r.out()).isEqualTo("deleted web and the images the service created for it\n");
        fails(4, "manage", "show", "-n", "web");
        assertThat(ok("manage", "list", "--json").json().size()).isZero();
    }
}
