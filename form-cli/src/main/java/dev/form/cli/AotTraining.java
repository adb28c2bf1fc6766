package dev.form.cli;

import com.sun.net.httpserver.HttpServer;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The AOT cache's training run (src/build/aot-train.sh, at package time): exercises what a typical
 * invocation loads — help, parsing of the common commands, and a signed request with its JSON answer and
 * its error answer against a throw-away local responder — so those classes come from the cache at start-up.
 */
public final class AotTraining {
    /** A well-known public test key (never holds anything): training needs some key to sign with. */
    private static final String PUBLIC_TEST_KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        // The launcher's main class too: a class in the cache is found without opening the jar, and opening it
        // (reading 4,000 entries' directory) costs milliseconds.
        Class.forName(Main.class.getName(), false, AotTraining.class.getClassLoader());
        Path home = Files.createTempDirectory("form-aot-home");
        // Every command reads the config file when there is one (the README's walkthrough writes one).
        Path config = Files.createDirectories(home.resolve(".config/form")).resolve("config.json");
        Files.writeString(config, "{\"hosts\": [\"127.0.0.1\"], \"vmm_port\": 3002, \"keystore_path\": \"~/.config/form/keystore.json\","
                + " \"queue\": {\"kind\": \"embedded\"}}");
        HttpServer responder = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        responder.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            int status;
            String body;
            if (path.endsWith("/disks")) {
                status = 201;
                body = "{\"id\":\"data1\",\"kind\":\"disk\",\"state\":\"attached\",\"pciAddress\":\"0000:00:05.0\",\"path\":\"/v/a.raw\",\"format\":\"raw\",\"sizeBytes\":1073741824,\"readonly\":false}";
            } else if (path.equals("/v1/queue")) {
                status = 202;
                body = "{\"requestId\":\"r1\",\"state\":\"queued\",\"instance\":\"web\",\"acceptedAt\":\"2026-01-01T00:00:00Z\"}";
            } else if (path.startsWith("/v1/requests/")) {
                status = 200;
                body = "{\"requestId\":\"r1\",\"state\":\"done\",\"instance\":\"web\",\"method\":\"POST\",\"target\":\"/v1/instances/web/disks\","
                        + "\"status\":201,\"outcome\":{\"id\":\"q1\",\"kind\":\"disk\",\"state\":\"attached\",\"path\":\"/v/a.raw\"},"
                        + "\"acceptedAt\":\"2026-01-01T00:00:00Z\",\"finishedAt\":\"2026-01-01T00:00:01Z\"}";
            } else if (path.equals("/v1/instances/web")) {
                status = 200;
                body = "{\"id\":\"i1\",\"name\":\"web\",\"state\":\"running\",\"owner\":\"0x0\",\"hypervisor\":\"cloud-hypervisor\",\"cpus\":1,"
                        + "\"maxCpus\":2,\"memoryBytes\":536870912,\"maxMemoryBytes\":1073741824,\"sharedMemory\":true,\"autostart\":false,"
                        + "\"createdAt\":\"2026-01-01T00:00:00Z\",\"resources\":[{\"id\":\"data1\",\"kind\":\"disk\",\"state\":\"attached\","
                        + "\"path\":\"/v/a.raw\",\"format\":\"raw\",\"sizeBytes\":1073741824}],\"grants\":[{\"address\":\"0x0\",\"level\":\"manage\"}]}";
            } else if (path.equals("/v1/instances")) {
                status = 200;
                body = "[{\"id\":\"i1\",\"name\":\"web\",\"state\":\"running\",\"owner\":\"0x0\",\"cpus\":1,\"memoryBytes\":536870912,\"resources\":1}]";
            } else {
                status = 404;
                body = "{\"code\":\"not_found\",\"message\":\"no instance named ghost\",\"field\":\"ref\",\"hint\":\"form manage list\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        });
        responder.start();
        try {
            Map<String, String> env = Map.of("FORM_PRIVATE_KEY", PUBLIC_TEST_KEY,
                    "FORM_HOST", "http://127.0.0.1:" + responder.getAddress().getPort());
            String[][] runs = {
                    {"--help"},
                    {"manage", "--help"},
                    {"manage", "add", "disk", "--help"},
                    {"manage", "add", "disk", "-n", "web", "--path", "a.raw", "--size", "1G", "--disk-id", "data1"},
                    {"manage", "add", "disk", "-n", "web", "--path", "a.raw", "--json"},
                    {"manage", "list"},
                    {"manage", "show", "-n", "web"},
                    {"manage", "add", "disk", "-n", "web", "--path", "a.raw", "--disk-id", "q1", "--queue", "--wait"},
                    {"manage", "show", "-n", "ghost"},
                    {"manage", "add", "disk", "-n", "web"},
                    {"wallet", "address"},
            };
            for (String[] run : runs) FormCli.run(quietContext(env, home), run);
            CommandLine parser = FormCli.commandLine(quietContext(env, home));
            String[][] parses = {
                    {"manage", "add", "fs", "-n", "web", "--source", "/srv", "--tag", "t", "--queue"},
                    {"manage", "add", "device", "-i", "x", "--path", "0000:01:00.0"},
                    {"manage", "remove", "-n", "web", "data1", "--wait", "--timeout", "30s"},
                    {"manage", "rm", "disk", "-n", "web", "--disk-id", "d"},
                    {"manage", "status", "abc", "--wait"},
                    {"manage", "create", "--name", "w", "--kernel", "k", "--memory", "512M"},
            };
            // Runs build their commands from the generated model: parse every kind through it, so that all of it
            // (and the field accessors) comes from the cache.
            for (String[] p : parses) FormCli.generatedCommandLine(quietContext(env, home)).parseArgs(p);
            FormCli.generatedCommandLine(quietContext(env, home)).getUsageMessage();
            parser.getUsageMessage();
        } finally {
            responder.stop(0);
            try (var paths = Files.walk(home)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static CliContext quietContext(Map<String, String> env, Path home) {
        PrintWriter sink = new PrintWriter(new StringWriter());
        return new CliContext(env, home, InputStream.nullInputStream(), sink, sink);
    }

}
