package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.vmm.ApiProblem;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Runs one virtiofsd per share and keeps track of it across service restarts.
 *
 * <p>{@link #start} launches {@code <binary> --socket-path=<abs> -o source=<abs dir> -o cache=none
 * -o sandbox=chroot} in a new session ({@code setsid}), so the daemon outlives the service like the VMs do; its
 * stdin is /dev/null, stdout and stderr go to {@code <data>/logs/virtiofsd-<name>.log}, the environment is emptied
 * down to PATH and LANG (nothing secret reaches the daemon, on its command line or otherwise). Its socket and a pid
 * file live in {@link HostPolicy#managedSocketDir()} (0700), the socket is made 0600.
 *
 * <p>Readiness: the C virtiofsd serves exactly one vhost-user connection and exits when it ends, so it is never
 * probed by connecting; start waits (bounded) for the socket file to appear instead. If the daemon exits first, or
 * the wait times out, the error carries the tail of the daemon's own log.
 *
 * <p>The supervisor keeps no state of its own beyond the files in the managed socket directory, so a new instance
 * after a service restart sees the same daemons ({@link #adopt(String)}, {@link #adoptAll()}). It is safe to use
 * from several threads for different names; the caller serializes operations on one name (one share).
 */
public final class VirtiofsdSupervisor {

    /**
     * @param binary       the virtiofsd to run (Debian: /usr/lib/qemu/virtiofsd)
     * @param setsid       the setsid(1) used to detach it (util-linux: /usr/bin/setsid)
     * @param startTimeout how long start waits for the socket
     * @param stopTimeout  how long stop waits after SIGTERM before SIGKILL (and again after SIGKILL)
     */
    public record Settings(Path binary, Path setsid, Duration startTimeout, Duration stopTimeout) {
        public Settings {
            Objects.requireNonNull(binary, "binary");
            Objects.requireNonNull(setsid, "setsid");
            if (startTimeout.isNegative() || startTimeout.isZero()) throw new IllegalArgumentException("startTimeout must be positive");
            if (stopTimeout.isNegative() || stopTimeout.isZero()) throw new IllegalArgumentException("stopTimeout must be positive");
        }

        /** /usr/lib/qemu/virtiofsd, /usr/bin/setsid, 10 s to start, 5 s to stop. */
        public static Settings defaults() {
            return new Settings(Path.of("/usr/lib/qemu/virtiofsd"), Path.of("/usr/bin/setsid"),
                    Duration.ofSeconds(10), Duration.ofSeconds(5));
        }

        public Settings withBinary(Path b) {
            return new Settings(b, setsid, startTimeout, stopTimeout);
        }

        public Settings withStartTimeout(Duration d) {
            return new Settings(binary, setsid, d, stopTimeout);
        }

        public Settings withStopTimeout(Duration d) {
            return new Settings(binary, setsid, startTimeout, d);
        }
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Duration POLL = Duration.ofMillis(10);
    private static final int LOG_TAIL_BYTES = 2048;

    private final HostPolicy policy;
    private final Settings settings;

    public VirtiofsdSupervisor(HostPolicy policy, Settings settings) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Checks the request's "source" against the host policy, then {@link #start(String, Path) starts} a daemon
     * for it.
     */
    public VirtiofsdHandle start(String name, String requestedSource) {
        return start(name, policy.shareDirectory("source", requestedSource));
    }

    /**
     * Starts a virtiofsd for {@code source} and waits until its socket exists.
     *
     * @param name   unique per share on this host, {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}} (e.g. instance id and
     *               fs id joined by '-'); names the socket (see {@link #socketOf}), pid file and log
     * @param source canonical directory that passed {@link HostPolicy#shareDirectory}
     * @throws ApiProblem {@code invalid_input} on "source" for a source the daemon cannot take, {@code conflict} when
     *                    a daemon of that name still runs, {@code internal}/{@code timeout} naming "source" with the
     *                    daemon's log tail when it exits or does not create its socket in time
     */
    public VirtiofsdHandle start(String name, Path source) {
        requireName(name);
        requireSourceUsable(source);
        if (!Files.isRegularFile(settings.binary()) || !Files.isExecutable(settings.binary())) {
            throw new ApiProblem(ErrorCode.INTERNAL, "the virtiofsd binary " + settings.binary()
                    + " is not an executable file, so shares cannot be served", "source",
                    "install virtiofsd or configure its path", null, null);
        }
        Path socket = socketOf(name);
        HostPolicy.requireSocketPathFits("source", socket);
        Path pidFile = pidFileOf(name);
        Path log = policy.logDir().resolve("virtiofsd-" + name + ".log");
        prepareDirectories();
        clearStale(name, socket, pidFile);
        long logStart = createLog(log);

        List<String> command = List.of(settings.setsid().toString(), settings.binary().toString(),
                "--socket-path=" + socket, "-o", "source=" + source, "-o", "cache=none", "-o", "sandbox=chroot");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("LANG", "C");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new ApiProblem(ErrorCode.INTERNAL, "cannot run virtiofsd " + settings.binary() + ": " + e.getMessage(),
                    "source", "check the configured virtiofsd binary", null, e);
        }
        VirtiofsdHandle handle = new VirtiofsdHandle(name, process.pid(), socket, pidFile, source, log);
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        while (true) {
            if (kindOf(socket) == FileKind.SOCKET) break;
            if (!process.isAlive()) {
                throw new ApiProblem(ErrorCode.INTERNAL, "virtiofsd for " + source + " exited with status "
                        + process.exitValue() + " before creating its socket; its log says: "
                        + logTail(log, logStart), "source", "check that the directory can be shared (see the log "
                        + log + ")", null, null);
            }
            if (System.nanoTime() > deadline) {
                kill(process);
                throw new ApiProblem(ErrorCode.TIMEOUT, "virtiofsd for " + source + " did not create its socket "
                        + socket + " within " + settings.startTimeout().toMillis() + " ms; its log says: "
                        + logTail(log, logStart), "source", "the start timeout is configurable", null, null);
            }
            sleep(POLL);
        }
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            writePidFile(pidFile, handle.pid(), name);
        } catch (IOException e) {
            kill(process);
            throw new ApiProblem(ErrorCode.INTERNAL, "cannot record virtiofsd " + handle.pid() + " for " + source + ": "
                    + e.getMessage(), "source", null, null, e);
        }
        return handle;
    }

    /**
     * Stops a daemon: SIGTERM, up to {@link Settings#stopTimeout()}, then SIGKILL; then removes its socket and pid
     * file. A daemon that already exited (the C virtiofsd exits when its connection ends) is fine. A pid that now
     * belongs to another program is never signalled.
     *
     * @return true when the daemon had to be killed with SIGKILL
     */
    public boolean stop(VirtiofsdHandle handle) {
        boolean killed = terminate(handle);
        deleteQuietly(handle.socket());
        deleteQuietly(handle.pidFile());
        return killed;
    }

    /**
     * Takes over a running daemon after a service restart: {@code pid} must be alive, be a virtiofsd
     * (/proc/&lt;pid&gt;/cmdline) and serve {@code socket}.
     *
     * @throws ApiProblem {@code not_found} when no such daemon runs (any more)
     */
    public VirtiofsdHandle adopt(long pid, Path socket) {
        List<String> argv = cmdline(pid).orElseThrow(() -> ApiProblem.notFound("virtiofsd " + pid + " for " + socket
                + " is not running"));
        if (!isVirtiofsd(argv) || !servesSocket(argv, socket)) {
            throw ApiProblem.notFound("process " + pid + " is not the virtiofsd for " + socket + " (it runs "
                    + String.join(" ", argv) + ")");
        }
        String fileName = socket.getFileName().toString();
        String stem = fileName.endsWith(".sock") ? fileName.substring(0, fileName.length() - 5) : fileName;
        Path pidFile = socket.resolveSibling(stem + ".pid");
        String name = readPidFileName(pidFile, pid).orElse(stem);
        Path source = argv.stream().filter(a -> a.startsWith("source=")).map(a -> Path.of(a.substring(7)))
                .findFirst().orElse(null);
        return new VirtiofsdHandle(name, pid, socket, pidFile, source, policy.logDir().resolve("virtiofsd-" + name + ".log"));
    }

    /** {@link #adopt(long, Path)} for the daemon named {@code name}, using its pid file. */
    public VirtiofsdHandle adopt(String name) {
        requireName(name);
        Path pidFile = pidFileOf(name);
        long pid = readPidFile(pidFile).orElseThrow(() -> ApiProblem.notFound("no virtiofsd named " + name
                + " is recorded (" + pidFile + ")"));
        return adopt(pid, socketOf(name));
    }

    /**
     * After a service restart: every daemon with a pid file in {@link HostPolicy#managedSocketDir()} that still runs,
     * adopted. The socket and pid file of a daemon that is gone are removed (nothing can use them any more); the
     * caller compares the result with its registry to restart or release shares.
     */
    public List<VirtiofsdHandle> adoptAll() {
        List<VirtiofsdHandle> running = new ArrayList<>();
        if (!Files.isDirectory(policy.managedSocketDir())) return running;
        try (var files = Files.list(policy.managedSocketDir())) {
            for (Path pidFile : files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted().toList()) {
                String fileName = pidFile.getFileName().toString();
                Path socket = pidFile.resolveSibling(fileName.substring(0, fileName.length() - 4) + ".sock");
                Optional<Long> pid = readPidFile(pidFile);
                try {
                    running.add(adopt(pid.orElseThrow(() -> ApiProblem.notFound("unreadable pid file " + pidFile)), socket));
                } catch (ApiProblem gone) {
                    deleteQuietly(socket);
                    deleteQuietly(pidFile);
                }
            }
        } catch (IOException e) {
            throw new ApiProblem(ErrorCode.INTERNAL, "cannot list " + policy.managedSocketDir() + ": " + e.getMessage());
        }
        return running;
    }

    /** True while the daemon runs (a zombie, or a pid reused by another program, counts as gone). */
    public boolean isAlive(VirtiofsdHandle handle) {
        return cmdline(handle.pid()).map(a -> isVirtiofsd(a) && servesSocket(a, handle.socket())).orElse(false);
    }

    /** Completes when the daemon is found gone (polled every 100 ms on a virtual thread). */
    public CompletableFuture<VirtiofsdHandle> onExit(VirtiofsdHandle handle) {
        CompletableFuture<VirtiofsdHandle> done = new CompletableFuture<>();
        Thread.ofVirtual().name("virtiofsd-watch-" + handle.name()).start(() -> {
            while (isAlive(handle)) sleep(Duration.ofMillis(100));
            done.complete(handle);
        });
        return done;
    }

    /**
     * The socket path a daemon named {@code name} gets: {@code <name>.sock}, or — when that would not fit the 107 bytes
     * of a Unix socket path — the name cut short and followed by 12 hex digits of its SHA-256.
     */
    public Path socketOf(String name) {
        return policy.managedSocketDir().resolve(stemOf(name) + ".sock");
    }

    private String stemOf(String name) {
        int budget = HostPolicy.MAX_SOCKET_PATH_BYTES - ".sock".length()
                - (policy.managedSocketDir().toString() + "/").getBytes(StandardCharsets.UTF_8).length;
        if (name.length() <= budget) return name;
        String digest;
        try {
            digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(name.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
        int keep = budget - digest.length() - 1;
        if (keep < 1) {
            throw new ApiProblem(ErrorCode.INTERNAL, "the data directory " + policy.dataDir() + " is too long to hold "
                    + "virtiofsd sockets (Unix socket paths are limited to " + HostPolicy.MAX_SOCKET_PATH_BYTES + " bytes)",
                    "source", "use a shorter data directory", null, null);
        }
        return name.substring(0, keep) + "-" + digest;
    }

    /** The last lines of a daemon's log (for error messages and the API). */
    public String logTail(VirtiofsdHandle handle) {
        return logTail(handle.logFile(), 0);
    }

    /** Ends a daemon this supervisor just started (its own child, so the pid cannot have been reused). */
    private void kill(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(settings.stopTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(settings.stopTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean terminate(VirtiofsdHandle handle) {
        Optional<ProcessHandle> ph = ProcessHandle.of(handle.pid());
        if (ph.isEmpty() || !isAlive(handle)) return false;
        ph.get().destroy();
        if (waitGone(handle, settings.stopTimeout())) return false;
        ph.get().destroyForcibly();
        if (!waitGone(handle, settings.stopTimeout())) {
            throw new ApiProblem(ErrorCode.INTERNAL, "virtiofsd " + handle.pid() + " survived SIGKILL for "
                    + settings.stopTimeout().toMillis() + " ms");
        }
        return true;
    }

    private boolean waitGone(VirtiofsdHandle handle, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive(handle)) {
            if (System.nanoTime() > deadline) return false;
            sleep(POLL);
        }
        return true;
    }

    private void requireSourceUsable(Path source) {
        if (!source.isAbsolute()) throw ApiProblem.invalid("source", "source must be an absolute path: " + source);
        String s = source.toString();
        if (s.contains(",") || s.contains("\\")) {
            throw ApiProblem.invalid("source", "'" + PciAddress.printable(s) + "' contains ',' or '\\', which virtiofsd's"
                    + " -o option parser treats specially", "rename the directory");
        }
        if (!Files.isDirectory(source)) {
            throw ApiProblem.invalid("source", source + " is not an existing directory");
        }
    }

    private void prepareDirectories() {
        try {
            for (Path dir : List.of(policy.managedSocketDir(), policy.logDir())) {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                }
            }
        } catch (IOException e) {
            throw new ApiProblem(ErrorCode.INTERNAL, "cannot create the virtiofsd directories under " + policy.dataDir()
                    + ": " + e.getMessage());
        }
    }

    private void clearStale(String name, Path socket, Path pidFile) {
        Optional<Long> recorded = readPidFile(pidFile);
        if (recorded.isPresent()) {
            Optional<List<String>> argv = cmdline(recorded.get());
            if (argv.isPresent() && isVirtiofsd(argv.get()) && servesSocket(argv.get(), socket)) {
                throw ApiProblem.conflict("source", "a virtiofsd named " + name + " (pid " + recorded.get()
                        + ") is still running; stop it first");
            }
        }
        deleteQuietly(socket);
        deleteQuietly(pidFile);
    }

    private static long createLog(Path log) {
        try {
            if (!Files.exists(log)) {
                Files.createFile(log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            return Files.size(log);
        } catch (IOException e) {
            throw new ApiProblem(ErrorCode.INTERNAL, "cannot create the virtiofsd log " + log + ": " + e.getMessage());
        }
    }

    private static String logTail(Path log, long from) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(from, f.length() - LOG_TAIL_BYTES);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            String text = new String(buf, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(nothing)" : text;
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void writePidFile(Path pidFile, long pid, String name) throws IOException {
        Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
        Files.writeString(tmp, pid + "\n" + name + "\n", StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        try {
            Files.move(tmp, pidFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The pid recorded in a pid file (first line: pid; second: the daemon's name). */
    private static Optional<Long> readPidFile(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readAllLines(pidFile).getFirst().strip()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> readPidFileName(Path pidFile, long pid) {
        try {
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() >= 2 && lines.getFirst().strip().equals(Long.toString(pid)) && NAME.matcher(lines.get(1)).matches()) {
                return Optional.of(lines.get(1));
            }
        } catch (IOException | RuntimeException e) {
            // fall back to the socket's name
        }
        return Optional.empty();
    }

    /** argv of a live, non-zombie process; empty when there is none (zombies have an empty cmdline). */
    static Optional<List<String>> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            if (raw.length == 0) return Optional.empty();
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            return Optional.of(args);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean isVirtiofsd(List<String> argv) {
        return !argv.isEmpty() && Path.of(argv.getFirst()).getFileName().toString().contains("virtiofsd");
    }

    private static boolean servesSocket(List<String> argv, Path socket) {
        String s = socket.toString();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--socket-path=" + s)) return true;
            if (a.equals("--socket-path") && i + 1 < argv.size() && argv.get(i + 1).equals(s)) return true;
        }
        return false;
    }

    private static FileKind kindOf(Path p) {
        try {
            return FileKind.of(p);
        } catch (IOException e) {
            return FileKind.MISSING;
        }
    }

    private Path pidFileOf(String name) {
        return policy.managedSocketDir().resolve(stemOf(name) + ".pid");
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("virtiofsd name must match " + NAME.pattern() + ": " + name);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover socket or pid file is cleared by the next start of that name
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiProblem(ErrorCode.INTERNAL, "interrupted while supervising virtiofsd");
        }
    }
}
