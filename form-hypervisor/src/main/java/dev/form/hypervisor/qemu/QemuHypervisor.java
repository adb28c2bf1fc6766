package dev.form.hypervisor.qemu;

import dev.form.hypervisor.Hypervisor;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.hypervisor.qemu.qmp.QmpClient;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs VMs with QEMU (q35), driving them over QMP. Each VM is its own QEMU process in its own
 * session, with its output in files, so it outlives the JVM that started it; {@link #reattach}
 * finds it again from the QMP socket and pid.
 */
public final class QemuHypervisor implements Hypervisor {

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(QemuHypervisor.class);

    private final String binary;
    private final boolean kvmRequested;
    private final QemuSettings settings;
    /** Whether KVM really runs a vCPU here, probed once at the first launch that asks for it. */
    private volatile Boolean kvmChecked;

    /**
     * @param binary the qemu-system-x86_64 to run (a path or a name on PATH)
     * @param kvm    true for {@code -accel kvm}, false for TCG (software emulation). When KVM is
     *               asked for but cannot run a vCPU here (see {@link #kvmWorks}), launches fall back
     *               to TCG with a warning rather than fail every time.
     */
    public QemuHypervisor(String binary, boolean kvm) {
        this(binary, kvm, QemuSettings.defaults());
    }

    public QemuHypervisor(String binary, boolean kvm, QemuSettings settings) {
        this.binary = binary;
        this.kvmRequested = kvm;
        this.settings = settings;
    }

    /** True when /dev/kvm exists and this process may open it read-write. */
    public static boolean kvmUsable() {
        Path dev = Path.of("/dev/kvm");
        return Files.exists(dev) && Files.isReadable(dev) && Files.isWritable(dev);
    }

    /**
     * True when {@code binary} can really run a vCPU under KVM here. /dev/kvm alone is not enough:
     * under nested virtualisation it may exist and still fail at the first vCPU run (QEMU aborts
     * with "failed to set MSR"), so this starts a paused VM, lets it run briefly and quits.
     */
    public static boolean kvmWorks(String binary) {
        if (!kvmUsable()) return false;
        try {
            Process p = new ProcessBuilder(binary, "-accel", "kvm", "-cpu", "host", "-machine", "q35", "-nodefaults",
                    "-display", "none", "-S", "-qmp", "stdio").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (var in = p.getOutputStream()) {
                in.write("{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"cont\"}\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                if (p.waitFor(300, java.util.concurrent.TimeUnit.MILLISECONDS)) return false;
                in.write("{\"execute\":\"quit\"}\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                // QEMU died and closed its stdin: KVM does not work
            }
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The first qemu-system-x86_64 on PATH, or null. */
    public static Path findBinary() {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, "qemu-system-x86_64");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    public QemuSettings settings() {
        return settings;
    }

    /** "kvm" or "tcg": what launches use, probing KVM on first call when it was asked for. */
    public String accelerator() {
        return useKvm() ? "kvm" : "tcg";
    }

    private boolean useKvm() {
        if (!kvmRequested) return false;
        Boolean ok = kvmChecked;
        if (ok == null) {
            ok = kvmWorks(binary);
            kvmChecked = ok;
            if (!ok) log.warn("KVM was asked for, but {} cannot run a vCPU under KVM on this host (/dev/kvm {}); using TCG",
                    binary, kvmUsable() ? "exists but fails, e.g. under nested virtualisation" : "is missing or not accessible");
        }
        return ok;
    }

    @Override
    public HypervisorKind kind() {
        return HypervisorKind.QEMU;
    }

    @Override
    public RunningVm launch(VmLaunchSpec spec) throws HypervisorException {
        QemuCommandLine.check(spec, settings);
        Path run = spec.runDir().toAbsolutePath();
        Path socket = run.resolve(QemuCommandLine.QMP_SOCKET);
        Path pidFile = run.resolve(QemuCommandLine.PID_FILE);
        Path logFile = run.resolve(QemuCommandLine.LOG_FILE);
        try {
            if (!Files.isDirectory(run)) {
                Files.createDirectories(run);
                Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
            }
            Files.createDirectories(spec.consoleLog().toAbsolutePath().getParent());
            long previous = readPid(pidFile, 0);
            if (QemuProcess.alive(previous) && ProcessHandle.of(previous).map(QemuProcess::looksLikeQemu).orElse(false))
                throw new HypervisorException(Kind.CONFLICT, "QEMU process " + previous + " of " + pidFile
                        + " still runs: this run directory is in use");
            if (Files.exists(socket)) refuseIfAnswering(socket);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new HypervisorException(Kind.REFUSED, "cannot prepare the run directory " + run + ": " + e.getMessage(), e);
        }
        List<String> argv = new ArrayList<>();
        // A session of its own: no terminal hang-up or signal to the service's process group reaches QEMU.
        if (Files.isExecutable(SETSID)) argv.add(SETSID.toString());
        argv.addAll(QemuCommandLine.build(binary, useKvm(), spec, settings));
        Process process;
        try {
            Files.writeString(logFile, "form: " + String.join(" ", argv) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(argv)
                    .directory(run.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new HypervisorException(Kind.UNAVAILABLE, "cannot start " + binary + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        QmpClient qmp = null;
        while (qmp == null) {
            if (!process.isAlive()) throw startFailure(process.exitValue(), logFile);
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new HypervisorException(Kind.TIMEOUT, "QEMU did not open its QMP socket " + socket + " within "
                        + settings.startTimeout().toSeconds() + " s; its output is in " + logFile);
            }
            if (Files.exists(socket)) {
                try {
                    qmp = QmpClient.connect(socket, Duration.ofSeconds(2));
                } catch (HypervisorException e) {
                    pause(Duration.ofMillis(20));
                }
            } else {
                pause(Duration.ofMillis(20));
            }
        }
        long pid = readPid(pidFile, process.pid());
        return new QemuVm(qmp, new VmEndpoint(HypervisorKind.QEMU, socket, pid, spec.consoleLog().toAbsolutePath()), settings);
    }

    @Override
    public RunningVm reattach(VmEndpoint endpoint) throws HypervisorException {
        if (endpoint.kind() != HypervisorKind.QEMU)
            throw new HypervisorException(Kind.REFUSED, "this endpoint belongs to " + endpoint.kind().wireName() + ", not qemu");
        if (endpoint.pid() > 0 && !QemuProcess.alive(endpoint.pid()))
            throw new HypervisorException(Kind.UNAVAILABLE, "QEMU process " + endpoint.pid() + " is gone");
        QmpClient qmp = QmpClient.connect(endpoint.controlSocket(), Duration.ofSeconds(5));
        return new QemuVm(qmp, endpoint, settings);
    }

    private static void refuseIfAnswering(Path socket) throws HypervisorException {
        try (QmpClient other = QmpClient.connect(socket, Duration.ofMillis(500))) {
            throw new HypervisorException(Kind.CONFLICT, "a QEMU process already answers on " + socket
                    + " (greeting " + other.greeting() + "): this run directory is in use");
        } catch (HypervisorException e) {
            if (e.kind() == Kind.CONFLICT) throw e;
            // Nothing answers: the socket is stale and can go.
        }
    }

    private static HypervisorException startFailure(int exit, Path logFile) {
        List<String> qemuLines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
                if (!line.startsWith("form: ")) qemuLines.add(line);
            }
        } catch (IOException e) {
            qemuLines.add("(could not read " + logFile + ": " + e.getMessage() + ")");
        }
        List<String> tail = qemuLines.subList(Math.max(0, qemuLines.size() - 10), qemuLines.size());
        String message = "QEMU exited while starting (exit code " + exit + ")"
                + (tail.isEmpty() ? "" : ": " + String.join(" | ", tail));
        List<String> chain = new ArrayList<>();
        chain.add(message);
        chain.addAll(tail);
        return new HypervisorException(Kind.REFUSED, 0, chain, message, null);
    }

    private static long readPid(Path pidFile, long fallback) {
        try {
            return Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            return fallback;
        }
    }

    private static void pause(Duration d) throws HypervisorException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(Kind.UNAVAILABLE, "interrupted while starting QEMU", e);
        }
    }
}
