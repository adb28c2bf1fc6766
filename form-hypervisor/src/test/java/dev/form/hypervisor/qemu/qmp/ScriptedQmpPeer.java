package dev.form.hypervisor.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The far end of a QMP socket for protocol tests: a real Unix socket whose answers a test scripts,
 * so it can send what QEMU never would (garbled lines, events around replies, a hang-up mid-call).
 * Each command is answered with the lines the script returns; {@code {id}} in them is replaced by
 * the command's id. A null answer means: close the connection.
 */
final class ScriptedQmpPeer implements AutoCloseable {

    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread thread;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();

    ScriptedQmpPeer(Path dir, boolean greet, Function<JsonNode, List<String>> script) throws IOException {
        this.socket = dir.resolve("peer-" + System.nanoTime() + ".sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.thread = Thread.ofPlatform().daemon().start(() -> serve(greet, script));
    }

    Path socket() {
        return socket;
    }

    private void serve(boolean greet, Function<JsonNode, List<String>> script) {
        try (SocketChannel ch = server.accept()) {
            OutputStream out = Channels.newOutputStream(ch);
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            if (greet) send(out, List.of(GREETING));
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode cmd = JSON.readTree(line);
                received.add(cmd);
                if (cmd.path("execute").asText().equals("qmp_capabilities")) {
                    send(out, List.of("{\"return\": {}, \"id\": \"" + cmd.path("id").asText() + "\"}"));
                    continue;
                }
                List<String> answer = script.apply(cmd);
                if (answer == null) return;
                String id = cmd.path("id").asText();
                send(out, answer.stream().map(l -> l.replace("{id}", id)).toList());
            }
        } catch (IOException e) {
            // the client went away or the test closed the peer
        }
    }

    private static void send(OutputStream out, List<String> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l).append('\n');
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    static String event(String name, String dataJson) {
        return "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"" + name + "\", \"data\": " + dataJson + "}";
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
        Files.deleteIfExists(socket);
    }
}
