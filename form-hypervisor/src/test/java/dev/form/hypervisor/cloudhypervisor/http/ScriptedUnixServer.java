package dev.form.hypervisor.cloudhypervisor.http;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Unix-socket server for codec tests whose answers are scripted byte for byte: it reads one
 * request at a time (headers plus Content-Length body), records it, and plays the next reply.
 */
public final class ScriptedUnixServer implements AutoCloseable {

    /** What the server does after reading a request. */
    public interface Reply {
        void play(SocketChannel ch) throws IOException, InterruptedException;
    }

    public static Reply bytes(String raw) {
        return ch -> ch.write(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1)));
    }

    public static Reply bytes(byte[] raw) {
        return ch -> ch.write(ByteBuffer.wrap(raw));
    }

    public static Reply trickle(String raw) {
        return ch -> {
            for (byte b : raw.getBytes(StandardCharsets.ISO_8859_1)) {
                ch.write(ByteBuffer.wrap(new byte[]{b}));
                Thread.sleep(1);
            }
        };
    }

    public static Reply thenClose(Reply r) {
        return ch -> {
            r.play(ch);
            ch.close();
        };
    }

    public static Reply closeWithoutAnswer() {
        return SocketChannel::close;
    }

    public static Reply stall(long ms) {
        return ch -> Thread.sleep(ms);
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread thread;

    public ScriptedUnixServer(Path dir) throws IOException {
        this.socket = dir.resolve("scripted.sock");
        Files.deleteIfExists(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.thread = Thread.ofVirtual().start(this::acceptLoop);
    }

    public Path socket() {
        return socket;
    }

    public ScriptedUnixServer then(Reply r) {
        replies.add(r);
        return this;
    }

    public List<String> requests() {
        return requests;
    }

    public int connectionsAccepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(ch));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            while (ch.isOpen()) {
                String request = readRequest(ch);
                if (request == null) return;
                requests.add(request);
                Reply r = replies.poll(5, TimeUnit.SECONDS);
                if (r == null) return;
                r.play(ch);
            }
        } catch (IOException | InterruptedException e) {
            // the test decides what a broken connection means
        }
    }

    private static String readRequest(SocketChannel ch) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            one.clear();
            if (ch.read(one) < 0) return null;
            head.append((char) (one.get(0) & 0xff));
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        while (body.hasRemaining()) if (ch.read(body) < 0) return null;
        return head + new String(body.array(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
        Files.deleteIfExists(socket);
    }
}
