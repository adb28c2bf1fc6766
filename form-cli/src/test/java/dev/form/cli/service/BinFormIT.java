package dev.form.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher as a user runs it: bin/form as a child process (after the package phase built the jar, its class
 * path and the AOT cache) against a real service, covering a full hot-add cycle, JSON, stdin secrets, and
 * each error class's exit code as the shell sees it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BinFormIT {
    private Path dir;
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("form-binform");
        service = new RunningService(dir);
    }

    @AfterAll
    void stop() {
        if (service != null) {
            form().run("manage", "delete", "-n", "proc", "--purge");
            service.close();
        }
        RunningService.deleteTree(dir);
    }

    private FormProcess form() {
        return new FormProcess(dir.resolve("home")).env("FORM_HOST", service.url()).env("FORM_PRIVATE_KEY", RunningService.ADMIN_KEY);
    }

    @Test
    void helpVersionAndUsageErrors() {
        FormProcess.Result help = new FormProcess(dir).run("--help");
        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.out()).startsWith("Usage: form").contains("Examples:");
        assertThat(help.err()).isEmpty();
        FormProcess.Result usage = new FormProcess(dir).run("manage", "add", "disk", "-n", "web");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.err()).startsWith("error: ").contains("--path").contains("hint: ");
        assertThat(usage.out()).isEmpty();
    }

    @Test
    void aHotAddCycleThroughTheLauncher() {
        FormProcess.Result created = form().run("manage", "create", "--name", "proc", "--kernel", service.kernel().toString(),
                "--memory", "256M", "--autostart", "--json");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.json().get("state").asText()).isEqualTo("running");

        FormProcess.Result added = form().run("manage", "add", "disk", "-n", "proc", "--path", "p1.raw", "--size", "8M", "--disk-id", "p1");
        assertThat(added.exitCode()).as(added.toString()).isZero();
        assertThat(added.out()).matches("attached disk p1 \\(8M raw\\) to proc at [0-9a-f:.]+\\n");
        assertThat(added.err()).isEmpty();

        JsonNode shown = form().run("manage", "show", "-n", "proc", "--json").json();
        assertThat(shown.get("resources").findValuesAsText("id")).contains("p1");

        FormProcess.Result removed = form().run("manage", "remove", "-n", "proc", "p1", "--wait");
        assertThat(removed.exitCode()).as(removed.toString()).isZero();
        assertThat(removed.out()).isEqualTo("removed disk p1 from proc\n");
    }

    @Test
    void keyFromStandardInputAndAWarningForOneOnTheCommandLine() {
        FormProcess viaStdin = new FormProcess(dir.resolve("home")).env("FORM_HOST", service.url()).stdin(RunningService.ADMIN_KEY + "\n");
        FormProcess.Result list = viaStdin.run("manage", "list", "--private-key", "-", "--json");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.json().isArray()).isTrue();
        assertThat(list.err()).isEmpty();
        FormProcess.Result typed = new FormProcess(dir.resolve("home")).env("FORM_HOST", service.url())
                .run("manage", "list", "--private-key", RunningService.ADMIN_KEY);
        assertThat(typed.exitCode()).as(typed.toString()).isZero();
        assertThat(typed.err()).startsWith("warning: ").contains("shell history");
    }

    @Test
    void errorClassesAsTheShellSeesThem() throws Exception {
        FormProcess.Result notFound = form().run("manage", "show", "-n", "ghost");
        assertThat(notFound.exitCode()).isEqualTo(4);
        assertThat(notFound.err()).isEqualTo("error: no instance with id or name 'ghost' [not_found]\n");

        FormProcess.Result forbidden = new FormProcess(dir.resolve("home")).env("FORM_HOST", service.url())
                .env("FORM_PRIVATE_KEY", RunningService.OTHER_KEY)
                .run("manage", "create", "--name", "nope", "--kernel", service.kernel().toString());
        assertThat(forbidden.exitCode()).as(forbidden.toString()).isEqualTo(3);

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        FormProcess.Result unreachable = form().run("manage", "list", "--host", "http://127.0.0.1:" + port, "--json");
        assertThat(unreachable.exitCode()).isEqualTo(7);
        assertThat(unreachable.json().at("/error/exitCode").asInt()).isEqualTo(7);
        assertThat(unreachable.err()).doesNotContain("\tat ");
    }

    @Test
    void vmmServeRunsTheServiceUntilStopped() throws Exception {
        Path launcher = dev.form.testkit.chsim.CloudHypervisorSimulatorMain.writeLauncher(dir.resolve("serve-bin"));
        Path data = dir.resolve("serve-data");
        FormProcess launch = new FormProcess(dir.resolve("home"));
        ProcessBuilder pb = new ProcessBuilder(launch.launcher().toString(), "vmm", "serve", "--data-dir", data.toString(),
                "--listen", "127.0.0.1:0", "--admin", RunningService.ADMIN_ADDRESS, "--hypervisor", "cloud-hypervisor",
                "--cloud-hypervisor-bin", launcher.toString())
                .redirectError(dir.resolve("serve.err").toFile());
        pb.environment().put("FORM_BUILD_DIR", System.getProperty("form.cli.buildDir", "target"));
        pb.environment().put("FORM_NO_BUILD", "1");
        Process serve = pb.start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(serve.getInputStream()));
            String line = out.readLine();
            assertThat(line).as("first line of form vmm serve; stderr: " + Files.readString(dir.resolve("serve.err")))
                    .startsWith("form VMM service listening on port ");
            int port = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
            FormProcess.Result list = new FormProcess(dir.resolve("home")).env("FORM_HOST", "http://127.0.0.1:" + port)
                    .env("FORM_PRIVATE_KEY", RunningService.ADMIN_KEY).run("manage", "list", "--json");
            assertThat(list.exitCode()).as(list.toString()).isZero();
            assertThat(list.json().size()).isZero();
            assertThat(Files.exists(data.resolve("registry.db"))).isTrue();
        } finally {
            serve.destroy();
            assertThat(serve.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void utf8NamesSurviveTheLauncher() {
        FormProcess.Result r = form().run("manage", "show", "-n", "wëb-ü");
        assertThat(r.exitCode()).as(r.toString()).isIn(2, 4);
        assertThat(r.err()).contains("wëb-ü");
    }
}
