package dev.form.e2e;

import dev.form.vmm.VmmServer;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The form VMM service as a separate JVM (VmmServer's main, as {@code form vmm serve} runs it), so a test
 * can kill it with SIGKILL and start it again on the same data directory and port.
 */
final class ServiceProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final List<String> command;
    private final int port;
    private final Path log;
    private Process process;

    private ServiceProcess(List<String> command, int port, Path log) {
        this.command = command;
        this.port = port;
        this.log = log;
    }

    static ServiceProcess start(Path dataDir, int port, String admin, Path qemuBin, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx192m",
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath, VmmServer.class.getName(),
                "--data-dir", dataDir.toString(), "--listen", "127.0.0.1:" + port, "--admin", admin,
                "--hypervisor", "qemu", "--qemu-bin", qemuBin.toString(), "--removal-timeout-ms", "15000"));
        ServiceProcess s = new ServiceProcess(cmd, port, log);
        s.launch();
        return s;
    }

    private void launch() throws Exception {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("the service exited with " + process.exitValue() + ":\n" + tail());
            try {
                new Socket("127.0.0.1", port).close();
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the service did not listen on " + port + " within " + START_TIMEOUT + ":\n" + tail());
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no flush, exactly a crash. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("the service survived SIGKILL for 20 s");
    }

    void restart() throws Exception {
        if (process.isAlive()) throw new IllegalStateException("the service still runs");
        launch();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
