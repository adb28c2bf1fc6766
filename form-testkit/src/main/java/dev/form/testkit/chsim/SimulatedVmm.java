package dev.form.testkit.chsim;

import dev.form.testkit.chspec.CloudHypervisorSpec;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One simulated Cloud Hypervisor process: a VMM with at most one VM, serving the REST API on its own
 * Unix socket. Requests from all connections are handled strictly one at a time, as the real server
 * forwards each to its single VMM thread and waits for the answer.
 */
public final class SimulatedVmm implements AutoCloseable {
    private final CloudHypervisorSimulator simulator;
    private final SimulatorOptions options;
    private final Path socket;
    private final ServerSocketChannel server;
    private final VmModel vm;
    private final ApiRouter router;
    private final ReentrantLock vmmThread = new ReentrantLock(true);
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final List<String> requestLog = new CopyOnWriteArrayList<>();
    private final List<String> specViolations = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    SimulatedVmm(CloudHypervisorSimulator simulator, Path socket) throws IOException {
        this.simulator = simulator;
        this.options = simulator.options();
        this.socket = socket.toAbsolutePath();
        this.vm = new VmModel(options, simulator.timers(), this::guestPowerOff);
        this.router = new ApiRouter(vm, options.version());
        this.server = bind(this.socket);
        Thread.ofVirtual().name("chsim-accept-" + this.socket.getFileName()).start(this::acceptLoop);
    }

    private static ServerSocketChannel bind(Path socket) throws IOException {
        if (Files.exists(socket)) {
            // Like CH since v53: a stale socket file is replaced, a live one means another VMM owns the path.
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(socket));
                throw new IOException("API socket in use: " + socket);
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("API socket in use")) throw e;
                Files.deleteIfExists(socket);
            }
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket), 64);
        return ch;
    }

    /** The API socket this VMM listens on. */
    public Path socket() {
        return socket;
    }

    /** "none" (no VM), "Created", "Running" or "Paused". */
    public String state() {
        return vm.stateName();
    }

    /** A copy of the current config, device tree and guest-visible fs tags. */
    public VmmSnapshot snapshot() {
        return vm.snapshot();
    }

    /**
     * Every request received and parsed, in order, as {@code METHOD TARGET} followed by a space and the
     * raw body when there is one, e.g. {@code PUT /api/v1/vm.add-disk {"path":"/img/d.raw"}}.
     */
    public List<String> requestLog() {
        return List.copyOf(requestLog);
    }

    /** Spec violations of received bodies (only with {@link SimulatorOptions#specForValidation()}). */
    public List<String> specViolations() {
        return List.copyOf(specViolations);
    }

    /** Whether the VMM "process" is gone (vmm.shutdown, guest power-off or close). */
    public boolean isTerminated() {
        return terminated.isDone();
    }

    /** Completes when the VMM "process" is gone. */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    /**
     * The guest powers itself off: like the real VMM process, this one exits, its socket closes and the
     * socket file is deleted.
     */
    public void guestPowerOff() {
        close();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            server.close();
        } catch (IOException ignored) {
            // the listener is being discarded
        }
        for (SocketChannel c : connections) VhostUserConnector.closeQuietly(c);
        vm.vmmGone();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // nothing else could be done about a socket file that cannot be removed
        }
        simulator.forget(this);
        terminated.complete(null);
    }

    /**
     * What the real binary does when given VM options on its command line: vm.create then vm.boot.
     *
     * @throws IllegalArgumentException with serde's or the VMM's message chain when either fails
     */
    void createAndBoot(String vmConfigJson) {
        vmmThread.lock();
        try {
            vm.create(ConfigReader.vmConfig(LocatedJson.parse(vmConfigJson)));
            vm.boot();
        } catch (DeserializeException e) {
            throw new IllegalArgumentException("Failed to deserialize the VM config: " + e.getMessage(), e);
        } catch (ApiError e) {
            throw new IllegalArgumentException(String.join(": ", e.chain()), e);
        } finally {
            vmmThread.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed.get()) return;
                continue;
            }
            if (connections.size() >= options.maxConnections()) {
                try (ch) {
                    ch.write(ByteBuffer.wrap(HttpResponse.SERVER_FULL));
                } catch (IOException ignored) {
                    // the refused client went away already
                }
                continue;
            }
            connections.add(ch);
            if (closed.get()) {
                VhostUserConnector.closeQuietly(ch);
                return;
            }
            Thread.ofVirtual().name("chsim-conn").start(() -> serve(ch));
        }
    }

    private void serve(SocketChannel ch) {
        HttpRequestReader reader = new HttpRequestReader(options.version().maxBodyBytes());
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        try (ch) {
            while (!closed.get()) {
                in.clear();
                int n = ch.read(in);
                if (n < 0) return;
                reader.feed(in.array(), 0, n);
                while (!reader.isEmpty()) {
                    HttpRequestReader.Step step = reader.next();
                    if (step instanceof HttpRequestReader.NeedMore more) {
                        if (more.sendContinue()) writeFully(ch, HttpResponse.CONTINUE);
                        break;
                    }
                    if (step instanceof HttpRequestReader.Failed failed) {
                        reader.discard();
                        writeFully(ch, HttpResponse.parseError(failed.message()).encode());
                        break;
                    }
                    HttpRequest req = ((HttpRequestReader.Parsed) step).request();
                    HttpResponse resp = handle(req);
                    if (resp == null) return;
                    writeFully(ch, resp.encode());
                    if (resp.closesVmm()) {
                        close();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // client went away or the VMM closed the connection
        } finally {
            connections.remove(ch);
        }
    }

    private HttpResponse handle(HttpRequest req) {
        vmmThread.lock();
        try {
            if (closed.get()) return null;
            requestLog.add(req.method() + " " + req.target() + (req.hasBody() ? " " + req.bodyText() : ""));
            validateAgainstSpec(req);
            return router.handle(req);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            vmmThread.unlock();
        }
    }

    private void validateAgainstSpec(HttpRequest req) {
        CloudHypervisorSpec spec = simulator.spec();
        if (spec == null || !req.hasBody() || !req.method().equals("PUT")) return;
        String route = ApiRouter.routeOf(req.target());
        if (route == null) return;
        List<String> found = spec.validateRequest("/" + route, req.bodyText());
        for (String v : found) specViolations.add("PUT /" + route + ": " + v);
    }

    private static void writeFully(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) ch.write(b);
    }

    @Override
    public String toString() {
        return "SimulatedVmm[" + socket + ", " + state() + "]";
    }


}
