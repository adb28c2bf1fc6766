package dev.form.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The baseline (a): QMP spoken by hand over the Unix socket — one JSON object per line, events skipped —
 * with none of form's driver, service or CLI in the way.
 */
final class RawQmp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SocketChannel channel;
    private final BufferedReader in;

    private RawQmp(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    }

    static RawQmp connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        RawQmp qmp = new RawQmp(ch);
        qmp.in.readLine(); // the greeting
        qmp.execute("qmp_capabilities", null);
        return qmp;
    }

    JsonNode execute(String command, ObjectNode arguments) throws IOException {
        ObjectNode msg = JSON.createObjectNode().put("execute", command);
        if (arguments != null) msg.set("arguments", arguments);
        ByteBuffer out = ByteBuffer.wrap((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) channel.write(out);
        while (true) {
            String line = in.readLine();
            if (line == null) throw new IOException("QMP closed during " + command);
            JsonNode reply = JSON.readTree(line);
            if (reply.has("event")) continue;
            if (reply.has("error")) throw new IOException(command + ": " + reply.path("error").path("desc").asText());
            return reply.path("return");
        }
    }

    static ObjectNode args() {
        return JSON.createObjectNode();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
