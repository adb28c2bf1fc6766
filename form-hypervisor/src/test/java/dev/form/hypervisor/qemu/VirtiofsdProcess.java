package dev.form.hypervisor.qemu;

import dev.form.testkit.Prerequisites;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real virtiofsd (Debian's C daemon from qemu-system-common) serving one directory. */
final class VirtiofsdProcess implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/lib/qemu/virtiofsd");

    final Path socket;
    final Process process;

    private VirtiofsdProcess(Path socket, Process process) {
        this.socket = socket;
        this.process = process;
    }

    static void require() {
        Prerequisites.require(Files.isExecutable(BINARY), BINARY + " (from qemu-system-common)");
        Prerequisites.require("root".equals(System.getProperty("user.name")), "root, which virtiofsd's chroot sandbox needs");
    }

    static VirtiofsdProcess start(Path socket, Path source, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(BINARY.toString(), "--socket-path=" + socket.toAbsolutePath(),
                "-o", "source=" + source.toAbsolutePath(), "-o", "cache=none", "-o", "sandbox=chroot")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket)) {
            if (!p.isAlive()) throw new IOException("virtiofsd exited: " + Files.readString(log));
            if (System.nanoTime() > deadline) throw new IOException("virtiofsd made no socket in 10 s: " + Files.readString(log));
            Thread.sleep(10);
        }
        return new VirtiofsdProcess(socket, p);
    }

    /** True once the daemon has ended (it exits by itself when its device is unplugged). */
    boolean awaitExit(Duration d) throws InterruptedException {
        return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
    }
}
