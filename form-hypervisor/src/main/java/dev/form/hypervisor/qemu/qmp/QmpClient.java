package dev.form.hypervisor.qemu.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A QMP connection to one QEMU process over its Unix socket.
 *
 * <p>A reader thread owns the receiving side: it splits the stream into lines, hands replies to
 * the caller waiting for that command id and queues asynchronous events, so an event that arrives
 * between a command and its reply never gets mistaken for the reply. Every call is bounded by a
 * timeout, and when the connection breaks every waiting caller is released at once with
 * {@link Kind#UNAVAILABLE}: nothing here can hang on a dead or frozen QEMU.
 */
public final class QmpClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QmpClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** QEMU's replies are small; a line this long means the peer is not speaking QMP. */
    private static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
    private static final int MAX_QUEUED_EVENTS = 4096;

    private final Path socket;
    private final SocketChannel channel;
    private final Object writeLock = new Object();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final Object eventLock = new Object();
    private final ArrayDeque<QmpEvent> events = new ArrayDeque<>();
    private final AtomicLong garbledLines = new AtomicLong();
    private long lastEventSeq;
    private volatile HypervisorException broken;
    private final Thread reader;

    private record Pending(String command, CompletableFuture<JsonNode> reply) {
    }

    private QmpClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "qmp-reader " + socket.getFileName());
        this.reader.setDaemon(true);
    }

    /**
     * Connects, reads QEMU's greeting and leaves capabilities negotiation mode, all within
     * {@code timeout}.
     *
     * @throws HypervisorException UNAVAILABLE when nothing listens or the peer never greets
     */
    public static QmpClient connect(Path socket, Duration timeout) throws HypervisorException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new HypervisorException(Kind.UNAVAILABLE, "cannot open a Unix socket: " + e.getMessage(), e);
        }
        // A listener with a full backlog makes connect() block: a watchdog closes the channel then.
        CompletableFuture<Void> connected = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            if (!connected.isDone()) closeQuietly(ch);
        });
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            connected.complete(null);
        } catch (IOException | RuntimeException e) {
            connected.complete(null);
            closeQuietly(ch);
            throw new HypervisorException(Kind.UNAVAILABLE, "no QEMU answers on the QMP socket " + socket + ": " + e.getMessage(), e);
        }
        QmpClient client = new QmpClient(socket, ch);
        client.reader.start();
        try {
            try {
                client.greeting.get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new HypervisorException(Kind.UNAVAILABLE, "QEMU accepted the QMP connection on " + socket
                        + " but sent no greeting within " + timeout.toMillis() + " ms (another client may hold the monitor)");
            } catch (ExecutionException e) {
                throw client.brokenOr(new HypervisorException(Kind.UNAVAILABLE, "QMP greeting failed on " + socket, e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HypervisorException(Kind.UNAVAILABLE, "interrupted while waiting for QEMU's greeting", e);
            }
            client.execute("qmp_capabilities", null, Duration.ofNanos(Math.max(remainingNanos(deadline), 1)));
            return client;
        } catch (HypervisorException e) {
            client.close();
            if (e.kind() == Kind.TIMEOUT)
                throw new HypervisorException(Kind.UNAVAILABLE, "QEMU on " + socket + " did not complete the QMP handshake: " + e.getMessage(), e);
            throw e;
        }
    }

    public Path socket() {
        return socket;
    }

    /** QEMU's greeting ({"QMP":{"version":...}}). */
    public JsonNode greeting() {
        return greeting.getNow(null);
    }

    /**
     * Runs one command and returns its "return" value.
     *
     * @param arguments null for none
     * @throws QmpException        when QEMU answers with an error
     * @throws HypervisorException TIMEOUT when no answer comes in time, UNAVAILABLE when the connection is gone
     */
    public JsonNode execute(String command, ObjectNode arguments, Duration timeout) throws HypervisorException {
        HypervisorException dead = broken;
        if (dead != null) throw copyOf(dead, command);
        String id = "form-" + nextId.getAndIncrement();
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("execute", command);
        if (arguments != null) request.set("arguments", arguments);
        request.put("id", id);
        Pending p = new Pending(command, new CompletableFuture<>());
        pending.put(id, p);
        try {
            send(request);
            JsonNode reply = p.reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            JsonNode error = reply.get("error");
            if (error != null) {
                throw new QmpException(command, error.path("class").asText("GenericError"), error.path("desc").asText(error.toString()));
            }
            JsonNode ret = reply.get("return");
            return ret == null ? JsonNodeFactory.instance.objectNode() : ret;
        } catch (TimeoutException e) {
            throw new HypervisorException(Kind.TIMEOUT, "QEMU did not answer " + command + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HypervisorException he) throw copyOf(he, command);
            throw new HypervisorException(Kind.PROTOCOL, "QMP " + command + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(Kind.UNAVAILABLE, "interrupted while waiting for QEMU to answer " + command, e);
        } finally {
            pending.remove(id);
        }
    }

    /** The sequence number of the newest event received so far (0 before any). */
    public long lastEventSeq() {
        synchronized (eventLock) {
            return lastEventSeq;
        }
    }

    /** Events received after {@code afterSeq} that are still queued, oldest first. */
    public List<QmpEvent> eventsAfter(long afterSeq) {
        synchronized (eventLock) {
            List<QmpEvent> out = new ArrayList<>();
            for (QmpEvent e : events) if (e.seq() > afterSeq) out.add(e);
            return out;
        }
    }

    /**
     * Waits for the first event after {@code afterSeq} that matches. Returns empty on timeout.
     *
     * @throws HypervisorException UNAVAILABLE when the connection breaks while waiting
     */
    public Optional<QmpEvent> awaitEvent(Predicate<QmpEvent> match, long afterSeq, Duration timeout) throws HypervisorException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (eventLock) {
            while (true) {
                for (QmpEvent e : events) if (e.seq() > afterSeq && match.test(e)) return Optional.of(e);
                HypervisorException dead = broken;
                if (dead != null) throw copyOf(dead, "waiting for an event");
                long left = remainingNanos(deadline);
                if (left <= 0) return Optional.empty();
                try {
                    TimeUnit.NANOSECONDS.timedWait(eventLock, left);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new HypervisorException(Kind.UNAVAILABLE, "interrupted while waiting for a QMP event", ie);
                }
            }
        }
    }

    /** Lines received that were not JSON objects and were skipped. */
    public long garbledLines() {
        return garbledLines.get();
    }

    /** False once the connection broke or was closed. */
    public boolean isOpen() {
        return broken == null && channel.isOpen();
    }

    @Override
    public void close() {
        fail(new HypervisorException(Kind.UNAVAILABLE, "the QMP connection to " + socket + " was closed by form"));
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing QMP socket {}: {}", socket, e.toString());
        }
    }

    private void send(ObjectNode request) throws HypervisorException {
        byte[] line;
        try {
            line = (JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new HypervisorException(Kind.PROTOCOL, "cannot encode QMP request: " + e.getOriginalMessage(), e);
        }
        synchronized (writeLock) {
            try {
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) channel.write(buf);
            } catch (IOException e) {
                HypervisorException gone = new HypervisorException(Kind.UNAVAILABLE,
                        "QEMU's QMP connection " + socket + " broke while sending: " + e.getMessage(), e);
                fail(gone);
                throw gone;
            }
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    fail(new HypervisorException(Kind.UNAVAILABLE, "QEMU closed the QMP connection " + socket + " (the process exited or another side hung up)"));
                    return;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        dispatch(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        if (line.size() >= MAX_LINE_BYTES) {
                            fail(new HypervisorException(Kind.PROTOCOL, "the peer on " + socket + " sent a line over " + MAX_LINE_BYTES + " bytes: not QMP"));
                            closeQuietly();
                            return;
                        }
                        line.write(b);
                    }
                }
            }
        } catch (IOException e) {
            fail(new HypervisorException(Kind.UNAVAILABLE, "QEMU's QMP connection " + socket + " broke: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            fail(new HypervisorException(Kind.PROTOCOL, "QMP reader failed on " + socket + ": " + e, e));
            closeQuietly();
        }
    }

    private void dispatch(String text) {
        if (text.isBlank()) return;
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            msg = null;
        }
        if (msg == null || !msg.isObject()) {
            garbledLines.incrementAndGet();
            log.warn("skipping a line from QEMU on {} that is not a JSON object: {}", socket, abbreviate(text));
            return;
        }
        if (msg.has("QMP")) {
            greeting.complete(msg);
        } else if (msg.has("event")) {
            queueEvent(msg);
        } else if (msg.has("return") || msg.has("error")) {
            deliverReply(msg);
        } else {
            garbledLines.incrementAndGet();
            log.warn("skipping a JSON object from QEMU on {} that is neither reply nor event: {}", socket, abbreviate(text));
        }
    }

    private void deliverReply(JsonNode msg) {
        JsonNode id = msg.get("id");
        Pending p = null;
        if (id != null && id.isTextual()) {
            p = pending.get(id.asText());
        } else if (pending.size() == 1) {
            // QEMU omits the id only when it could not parse the request: with one command in
            // flight the reply can only be for that one.
            p = pending.values().iterator().next();
        }
        if (p == null) {
            log.warn("dropping a QMP reply on {} that matches no waiting command: {}", socket, abbreviate(msg.toString()));
            return;
        }
        p.reply.complete(msg);
    }

    private void queueEvent(JsonNode msg) {
        JsonNode data = msg.get("data");
        if (data == null || !data.isObject()) data = JsonNodeFactory.instance.objectNode();
        synchronized (eventLock) {
            QmpEvent e = new QmpEvent(++lastEventSeq, msg.get("event").asText(), data);
            events.addLast(e);
            while (events.size() > MAX_QUEUED_EVENTS) events.removeFirst();
            eventLock.notifyAll();
        }
    }

    private void fail(HypervisorException why) {
        synchronized (eventLock) {
            if (broken == null) broken = why;
            eventLock.notifyAll();
        }
        greeting.completeExceptionally(why);
        for (Pending p : pending.values()) p.reply.completeExceptionally(why);
    }

    private void closeQuietly() {
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing; the first error is what the callers see
        }
    }

    private HypervisorException brokenOr(HypervisorException fallback) {
        HypervisorException b = broken;
        return b != null ? b : fallback;
    }

    private static HypervisorException copyOf(HypervisorException cause, String command) {
        return new HypervisorException(cause.kind(), cause.status(), cause.chain(),
                cause.getMessage() + " [during " + command + "]", cause);
    }

    private static long remainingNanos(long deadline) {
        return deadline - System.nanoTime();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
