package dev.form.hypervisor.cloudhypervisor;

import java.time.Duration;
import java.util.Optional;

/** Ends a VMM process by pid, politely first: it had its chance to exit on vmm.shutdown. */
final class ProcessReaper {
    private ProcessReaper() {
    }

    static void endProcess(long pid, Duration grace) {
        if (pid <= 0 || pid == ProcessHandle.current().pid()) return;
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) return;
        ProcessHandle p = handle.get();
        if (waitGone(p, grace)) return;
        p.destroy();
        if (waitGone(p, Duration.ofSeconds(2))) return;
        p.destroyForcibly();
        waitGone(p, Duration.ofSeconds(2));
    }

    private static boolean waitGone(ProcessHandle p, Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        while (p.isAlive()) {
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !p.isAlive();
            }
        }
        return true;
    }
}
