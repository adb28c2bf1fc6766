package dev.form.cli.service;

import dev.form.testkit.kafka.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/form's two jars: the launcher jar alone for most commands, the service's libraries (Kafka, Jetty, SQLite)
 * after it for {@code vmm serve} and {@code --queue}. A queued add and remove through a real in-process Kafka
 * broker, consumed by a real service, shows that the launcher adds them when a command needs them; java run on
 * the launcher jar alone gets a clear error instead of a NoClassDefFoundError; the jars hold what their names say.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LauncherJarsIT {
    private static final String VERSION = "0.1.0-SNAPSHOT";

    private Path dir;
    private EmbeddedKafkaBroker broker;
    private RunningService service;
    private Path home;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("form-launcher-jars");
        broker = EmbeddedKafkaBroker.start(dir.resolve("broker"));
        Path serviceConfig = dir.resolve("vmm.json");
        Files.writeString(serviceConfig, """
                {"queue": {"kind": "kafka", "kafka": {"bootstrap_servers": "%s", "request_topic": "jars.requests",
                 "result_topic": "jars.results", "dead_letter_topic": "jars.dead", "group_id": "jars", "partitions": 1}}}
                """.formatted(broker.bootstrapServers()));
        service = new RunningService(dir.resolve("svc"), serviceConfig);
        home = dir.resolve("home");
        Files.createDirectories(home.resolve(".config/form"));
        Files.writeString(home.resolve(".config/form/config.json"), """
                {"queue": {"kind": "kafka", "kafka": {"bootstrap_servers": "%s", "request_topic": "jars.requests"}}}
                """.formatted(broker.bootstrapServers()));
        FormProcess.Result created = form().run("manage", "create", "--name", "jars", "--kernel", service.kernel().toString(),
                "--memory", "256M", "--autostart");
        assertThat(created.exitCode()).as(created.toString()).isZero();
    }

    @AfterAll
    void stop() {
        if (service != null) {
            form().run("manage", "delete", "-n", "jars", "--purge");
            service.close();
        }
        if (broker != null) broker.stop();
        RunningService.deleteTree(dir);
    }

    private FormProcess form() {
        return new FormProcess(home).env("FORM_HOST", service.url()).env("FORM_PRIVATE_KEY", RunningService.ADMIN_KEY);
    }

    private static Path built(String classifier) {
        return FormProcess.repoRoot().resolve("form-cli").resolve(System.getProperty("form.cli.buildDir", "target"))
                .resolve("form-cli-" + VERSION + "-" + classifier + ".jar");
    }

    @Test
    void aQueuedAddAndRemoveThroughKafkaFromTheLauncher() {
        FormProcess.Result added = form().run("manage", "add", "disk", "-n", "jars", "--path", "k1.raw", "--size", "4M",
                "--disk-id", "k1", "--queue", "--wait", "--timeout", "60s");
        assertThat(added.exitCode()).as(added.toString()).isZero();
        assertThat(added.out()).matches("attached disk k1 \\(4M raw\\) to jars at [0-9a-f:.]+\\n");

        FormProcess.Result removed = form().run("manage", "remove", "-n", "jars", "k1", "--queue", "--wait", "--timeout", "60s");
        assertThat(removed.exitCode()).as(removed.toString()).isZero();
        assertThat(removed.out()).isEqualTo("removed disk k1 from jars\n");
    }

    @Test
    void theLauncherJarAloneRefusesKafkaWithAHint() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", built("launcher").toString(), "dev.form.cli.Main",
                "manage", "add", "disk", "-n", "jars", "--path", "k2.raw", "--size", "4M", "--disk-id", "k2", "--queue")
                .redirectOutput(dir.resolve("alone.out").toFile()).redirectError(dir.resolve("alone.err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FORM"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("FORM_HOST", service.url());
        pb.environment().put("FORM_PRIVATE_KEY", RunningService.ADMIN_KEY);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(dir.resolve("alone.err"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(err).isEqualTo(1);
        assertThat(err).startsWith("error: config queue.kind is kafka, but Kafka's client library is not on the class path")
                .contains("service-libs.jar").doesNotContain("\tat ").doesNotContain("NoClassDefFoundError");
        assertThat(Files.readString(dir.resolve("alone.out"))).isEmpty();
    }

    @Test
    void theJarsHoldWhatTheirNamesSay() throws IOException {
        List<String> launcher = entries(built("launcher"));
        List<String> libs = entries(built("service-libs"));
        assertThat(launcher).contains("dev/form/cli/Main.class", "dev/form/vmm/VmmServer.class", "picocli/CommandLine.class",
                "org/bouncycastle/math/ec/custom/sec/SecP256K1Curve.class");
        assertThat(launcher).noneMatch(e -> e.startsWith("org/apache/kafka/") || e.startsWith("org/eclipse/jetty/")
                || e.startsWith("org/sqlite/") || e.startsWith("tools/jackson/"));
        assertThat(libs).contains("org/apache/kafka/clients/producer/KafkaProducer.class",
                "org/eclipse/jetty/server/Server.class", "org/sqlite/JDBC.class");
        assertThat(libs).noneMatch(e -> e.startsWith("dev/form/"));
    }

    private static List<String> entries(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().forEach(e -> names.add(e.getName()));
        }
        return names;
    }
}
