package dev.form.hypervisor.qemu;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The QEMU process by pid, which may not be a child of this JVM (after a restart of the service).
 * Signals go only to a process whose command line names QEMU, so a recycled pid is never hit.
 */
final class QemuProcess {

    private QemuProcess() {
    }

    static boolean alive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static boolean looksLikeQemu(ProcessHandle p) {
        Optional<String> cmd = p.info().command();
        Optional<String> line = p.info().commandLine();
        return cmd.map(c -> c.contains("qemu")).orElse(false) || line.map(c -> c.contains("qemu")).orElse(false)
                // A process whose command cannot be read (another user's) is still ours if the pid file says so.
                || (cmd.isEmpty() && line.isEmpty());
    }

    /** Waits for the process to end by itself, then kills it (SIGKILL). True when it is gone. */
    static boolean stop(long pid, Duration grace) {
        if (pid <= 0) return true;
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return true;
        ProcessHandle p = h.get();
        if (waitFor(p, grace)) return true;
        if (!looksLikeQemu(p)) return false;
        p.destroyForcibly();
        return waitFor(p, Duration.ofSeconds(5));
    }

    private static boolean waitFor(ProcessHandle p, Duration d) {
        try {
            p.onExit().get(d.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return !p.isAlive();
        }
    }
}
