package dev.form.testkit.chsim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * A deliberately tiny HTTP/1.1 client for the simulator's tests: writes the exact bytes given and
 * reads back one response as raw bytes, with a bounded wait. Not the driver.
 */
final class RawClient implements AutoCloseable {
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    /** One response: status, the header block as text, the body, and every byte received. */
    record Response(int status, String head, String body, byte[] raw) {
        String text() {
            return new String(raw, StandardCharsets.UTF_8);
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) return line.substring(c + 1).trim();
            }
            return null;
        }
    }

    private final SocketChannel ch;
    private final Selector selector;
    private byte[] pending = new byte[0];

    private RawClient(SocketChannel ch) throws IOException {
        this.ch = ch;
        ch.configureBlocking(false);
        this.selector = Selector.open();
        ch.register(selector, SelectionKey.OP_READ);
    }

    static RawClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new RawClient(ch);
    }

    static String put(String route, String body) {
        int n = body.getBytes(StandardCharsets.UTF_8).length;
        return "PUT /api/v1/" + route + " HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nContent-Length: " + n + "\r\n\r\n" + body;
    }

    static String put(String route) {
        return "PUT /api/v1/" + route + " HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
    }

    static String get(String route) {
        return "GET /api/v1/" + route + " HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
    }

    /** Opens a connection, sends one request, reads one response, closes. */
    static Response once(Path socket, String request) throws IOException {
        try (RawClient c = connect(socket)) {
            return c.exchange(request);
        }
    }

    Response exchange(String request) throws IOException {
        send(request.getBytes(StandardCharsets.UTF_8));
        return read(DEFAULT_WAIT);
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            if (ch.write(b) == 0) Thread.onSpinWait();
        }
    }

    void send(String s) throws IOException {
        send(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads one complete response (or throws after {@code wait}). */
    Response read(Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        got.writeBytes(pending);
        pending = new byte[0];
        boolean eof = false;
        while (true) {
            byte[] all = got.toByteArray();
            int headEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (headEnd >= 0) {
                String head = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1);
                int status = Integer.parseInt(head.substring(9, 12));
                int bodyStart = headEnd + 4;
                Integer length = contentLength(head);
                boolean closes = head.toLowerCase(Locale.ROOT).contains("connection: close");
                int need = length != null ? length : (closes ? -1 : 0);
                if (need >= 0 && all.length - bodyStart >= need) {
                    int end = bodyStart + need;
                    pending = Arrays.copyOfRange(all, end, all.length);
                    return new Response(status, head, new String(all, bodyStart, need, StandardCharsets.UTF_8),
                            Arrays.copyOfRange(all, 0, end));
                }
                if (need < 0 && eof) {
                    return new Response(status, head, new String(all, bodyStart, all.length - bodyStart, StandardCharsets.UTF_8), all);
                }
            }
            if (eof) throw new IOException("connection closed after " + all.length + " bytes: " + new String(all, StandardCharsets.ISO_8859_1));
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new IOException("no complete response within " + wait + "; got: " + new String(all, StandardCharsets.ISO_8859_1));
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            int n = ch.read(buf);
            if (n < 0) eof = true;
            else got.write(buf.array(), 0, n);
        }
    }

    /** True when the server closed the connection within {@code wait} (reads EOF). */
    boolean closedByServer(Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            selector.selectedKeys().clear();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            try {
                if (ch.read(buf) < 0) return true;
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    private static Integer contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) return Integer.parseInt(line.substring(15).trim());
        }
        return null;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        selector.close();
        ch.close();
    }
}
