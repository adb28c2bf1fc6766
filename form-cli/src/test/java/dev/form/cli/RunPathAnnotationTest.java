package dev.form.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run reads no annotation on its whole path — the model, the parse, the signed request's body and the answer:
 * the JDK turns every annotation it parses into an instance of a proxy class generated at run time (about 5 ms
 * each for the CLI, and the AOT cache cannot hold them), so a fresh JVM running the real entry point must load
 * not one {@code __dynamic_proxy__} class. Nor does the common path build Jackson's ObjectMapper (some 30 ms):
 * not for a signed add, and not for the config file or a list of instances. Checked in a child JVM, since this
 * one has long read annotations.
 */
class RunPathAnnotationTest {
    /** A well-known public test key (holds nothing). */
    private static final String TEST_KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final String OBJECT_MAPPER = "com.fasterxml.jackson.databind.ObjectMapper";
    private static HttpServer service;
    private static final List<String> requests = new ArrayList<>();

    @TempDir
    Path home;

    @BeforeAll
    static void answerLikeTheService() throws IOException {
        service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        service.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            synchronized (requests) {
                requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
            }
            boolean disk = exchange.getRequestURI().getPath().endsWith("/disks");
            boolean list = exchange.getRequestURI().getPath().equals("/v1/instances");
            String body = disk
                    ? "{\"id\":\"d1\",\"kind\":\"disk\",\"state\":\"attached\",\"pciAddress\":\"0000:00:05.0\",\"path\":\"/v/a.raw\",\"format\":\"raw\",\"sizeBytes\":1073741824,\"readonly\":false}"
                    : list
                    ? "[{\"id\":\"i_1\",\"name\":\"web\",\"state\":\"running\",\"owner\":\"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\",\"cpus\":2,\"memoryBytes\":536870912,\"resources\":3}]"
                    : "{\"code\":\"not_found\",\"message\":\"no instance named ghost\",\"field\":\"ref\",\"hint\":\"form manage list\"}";
            JsonAnswer.send(exchange, disk ? 201 : list ? 200 : 404, body);
        });
        service.start();
    }

    @AfterAll
    static void stop() {
        service.stop(0);
    }

    @Test
    void aSignedAddDiskAndItsAnswerReadNoAnnotation() throws Exception {
        Run r = run("manage", "add", "disk", "-n", "web", "--path", "a.raw", "--size", "1G", "--disk-id", "d1", "--bw-size", "10M",
                "--bw-refill-ms", "100");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("attached disk d1");
        synchronized (requests) {
            assertThat(requests).contains("POST /v1/instances/web/disks");
        }
        assertThat(r.proxies()).as("dynamic proxy classes (annotations read) on `manage add disk`").isEmpty();
        assertThat(r.loaded(OBJECT_MAPPER)).as("an ObjectMapper built on `manage add disk`").isFalse();
    }

    @Test
    void aConfigFileAndAListOfInstancesAreReadWithoutAnObjectMapper() throws Exception {
        Path config = home.resolve(".config/form/config.json");
        Files.createDirectories(config.getParent());
        Files.writeString(config, """
                {"hosts": ["127.0.0.1"], "vmm_port": 3002, "keystore_path": "~/.config/form/keystore.json",
                 "queue": {"kind": "kafka", "kafka": {"bootstrap_servers": "b:9092", "request_topic": "req"}}}""");
        Run r = run("manage", "list");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("web").contains("i_1").contains("512M");
        assertThat(r.loaded(OBJECT_MAPPER)).as("an ObjectMapper built on `manage list` with a config file").isFalse();
        assertThat(r.proxies()).isEmpty();
    }

    @Test
    void helpUsageErrorsAndServiceErrorsReadNoAnnotation() throws Exception {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"manage", "add", "disk", "--help"},
                new String[] {"manage", "add", "disk", "-n", "web"}, new String[] {"manage", "add", "disk", "-n", "ghost", "--path", "a.raw", "--queue-size", "x"},
                new String[] {"manage", "show", "-n", "ghost"})) {
            Run r = run(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.output()).isIn(0, 2, 4);
            assertThat(r.proxies()).as("dynamic proxy classes on `" + String.join(" ", args) + "`").isEmpty();
        }
    }

    private Run run(String... args) throws Exception {
        Path log = Files.createTempFile(home, "classes", ".log");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xlog:class+load=info:file=" + log,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("HOME", home.toString());
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("FORM_PRIVATE_KEY", TEST_KEY);
        pb.environment().put("FORM_HOST", "http://127.0.0.1:" + service.getAddress().getPort());
        Process p = pb.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the form process ended").isTrue();
        List<String> classes = Files.readAllLines(log);
        return new Run(p.exitValue(), output, classes);
    }

    /** @param classes the class-load log, a line per class */
    private record Run(int exitCode, String output, List<String> classes) {
        List<String> proxies() {
            return classes.stream().filter(l -> l.contains("__dynamic_proxy__")).toList();
        }

        boolean loaded(String className) {
            return classes.stream().anyMatch(l -> l.contains(" " + className + " "));
        }
    }
}
