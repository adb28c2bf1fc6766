package dev.form.hypervisor.cloudhypervisor.http;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * One keep-alive HTTP/1.1 connection to a Unix-socket server, one request in flight at a time.
 * Cloud Hypervisor serializes all API calls anyway, so a single reused connection per VM costs
 * nothing and saves a connect per call.
 *
 * <p>Every call has a deadline and the socket is non-blocking, so no call can hang. After a
 * timeout or any error the connection is dropped: a late answer must never be mistaken for the
 * answer to the next request. When a reused connection turns out to be closed by the server, a
 * request it refused outright (not one byte taken) goes again on a fresh connection; one it took
 * but never answered goes again only if it is a GET (a PUT may have taken effect).
 */
public final class UnixHttpConnection implements AutoCloseable {

    private final Path socket;
    private final ResponseParser parser;
    private final ResponseLimits limits;
    private SocketChannel channel;
    private Selector selector;
    private byte[] buf = new byte[8192];

    public UnixHttpConnection(Path socket, ResponseLimits limits) {
        this.socket = socket;
        this.limits = limits;
        this.parser = new ResponseParser(limits);
    }

    public UnixHttpConnection(Path socket) {
        this(socket, ResponseLimits.DEFAULT);
    }

    public Path socket() {
        return socket;
    }

    public synchronized boolean connected() {
        return channel != null && channel.isOpen();
    }

    /**
     * Sends the request and reads its response within {@code timeout}.
     *
     * @throws ResponseTimeoutException   no complete response in time
     * @throws ConnectionClosedException  the server closed or the socket broke before answering
     * @throws HttpProtocolException      the answer is not an acceptable HTTP response
     * @throws IOException                the socket cannot be reached at all
     */
    public synchronized HttpResponse exchange(HttpRequest request, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] bytes = request.encode();
        boolean reused = channel != null;
        try {
            return attempt(bytes, deadline, timeout);
        } catch (ConnectionClosedException e) {
            // A kept connection the server has closed since: if not one byte of this request was
            // taken, nothing happened and any request may go again; if it was taken but nothing came
            // back, only a GET may.
            if (!reused || e.requestDelivered() && !request.idempotent()) throw e;
            return attempt(bytes, deadline, timeout);
        }
    }

    private HttpResponse attempt(byte[] bytes, long deadline, Duration timeout) throws IOException {
        try {
            ensureOpen(deadline, timeout);
            boolean sentWhole = write(ByteBuffer.wrap(bytes), deadline, timeout);
            HttpResponse response = read(deadline, timeout);
            // An answer before the whole request was taken (e.g. "body too large") leaves the rest of our
            // bytes in the stream, where the server would read them as a next request: start afresh. The
            // bytes may all have fit in the socket's buffer, so the HTTP layer's own refusal counts too.
            if (response.closesConnection() || !sentWhole || response.fromHttpLayer()) close();
            return response;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void ensureOpen(long deadline, Duration timeout) throws IOException {
        if (channel != null) return;
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            channel = ch;
            selector = sel;
            if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                ch.register(sel, SelectionKey.OP_CONNECT);
                while (!ch.finishConnect()) await(SelectionKey.OP_CONNECT, deadline, timeout, "connecting");
            }
            // Read interest stays on: waiting for an answer is then a bare epoll_wait.
            ch.register(sel, SelectionKey.OP_READ);
        } catch (IOException e) {
            close();
            if (e instanceof ResponseTimeoutException) throw e;
            throw new IOException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the request; stops early when the server answers before taking all of it.
     *
     * @return true when every byte was sent
     */
    private boolean write(ByteBuffer out, long deadline, Duration timeout) throws IOException {
        while (out.hasRemaining()) {
            int n;
            try {
                n = channel.write(out);
            } catch (IOException e) {
                // A Unix socket whose peer has closed refuses at once (EPIPE): nothing of it was delivered.
                throw new ConnectionClosedException("connection to " + socket + " broke while sending the request", e,
                        out.position() > 0);
            }
            if (n == 0 && (await(SelectionKey.OP_WRITE | SelectionKey.OP_READ, deadline, timeout, "sending the request")
                    & SelectionKey.OP_READ) != 0) {
                return false;
            }
        }
        return true;
    }

    private HttpResponse read(long deadline, Duration timeout) throws IOException {
        int len = 0;
        int cap = limits.maxHeaderBytes() + limits.maxBodyBytes();
        while (true) {
            if (len == buf.length) {
                if (buf.length >= cap) throw new HttpProtocolException("response exceeds " + cap + " bytes");
                buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, cap));
            }
            // The answer is never there the instant the request left: wait first, then read.
            await(SelectionKey.OP_READ, deadline, timeout, "waiting for the response");
            int n;
            try {
                n = channel.read(ByteBuffer.wrap(buf, len, buf.length - len));
            } catch (IOException e) {
                if (len == 0) throw new ConnectionClosedException("connection to " + socket + " broke before an answer arrived", e, true);
                throw new HttpProtocolException("connection broke after " + len + " bytes of the response: " + e.getMessage());
            }
            if (n < 0) {
                if (len == 0) throw new ConnectionClosedException("the server at " + socket + " closed the connection without answering", null, true);
                throw new HttpProtocolException("the server closed the connection after " + len + " bytes of an incomplete response");
            }
            if (n == 0) continue;
            len += n;
            ResponseParser.Parsed parsed = parser.parse(buf, len);
            if (parsed != null) {
                if (parsed.consumed() != len) {
                    // Bytes beyond the response belong to no request of ours: the stream is out of step.
                    close();
                }
                if (buf.length > 64 * 1024) buf = new byte[8192];
                return parsed.response();
            }
        }
    }

    /** Waits for one of {@code ops} until the deadline; returns the operations that became ready. */
    private int await(int ops, long deadline, Duration timeout, String what) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) throw timeout(timeout, what);
        SelectionKey key = channel.keyFor(selector);
        boolean readOnly = ops == SelectionKey.OP_READ;
        if (!readOnly) key.interestOps(ops);
        try {
            selector.select(Math.max(1, remaining / 1_000_000));
            return key.isValid() && selector.selectedKeys().contains(key) ? key.readyOps() & ops : 0;
        } finally {
            selector.selectedKeys().clear();
            if (!readOnly && key.isValid()) key.interestOps(SelectionKey.OP_READ);
        }
    }

    private ResponseTimeoutException timeout(Duration timeout, String what) {
        return new ResponseTimeoutException("no answer from " + socket + " within " + format(timeout) + " (" + what + ")");
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public synchronized void close() {
        try {
            if (selector != null) selector.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
        selector = null;
        channel = null;
    }
}
