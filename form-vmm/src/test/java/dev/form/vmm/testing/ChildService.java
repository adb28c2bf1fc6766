package dev.form.vmm.testing;

import dev.form.vmm.VmmServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The service as a separate JVM ({@link VmmServer#main}), so a test can kill it like kill -9 or let a fault point halt it. */
public final class ChildService implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ChildService(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * @param faults fault points to arm (see dev.form.vmm.pipeline.FaultPoints), or empty
     */
    public static ChildService start(Path dataDir, Path chBin, String admin, int port, Path log, String... faults) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp", classpath));
        if (faults.length > 0) cmd.add("-D" + dev.form.vmm.pipeline.FaultPoints.PROPERTY + "=" + String.join(",", faults));
        cmd.addAll(List.of(VmmServer.class.getName(), "--data-dir", dataDir.toString(), "--listen", "127.0.0.1:" + port,
                "--admin", admin, "--hypervisor", "cloud-hypervisor", "--cloud-hypervisor-bin", chBin.toString(),
                "--removal-timeout-ms", "5000"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ChildService child = new ChildService(p, port, log);
        child.awaitListening(Duration.ofSeconds(60));
        return child;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void awaitListening(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("the service exited with " + process.exitValue() + ": " + tail());
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the service did not listen within " + timeout + ": " + tail());
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Process process() {
        return process;
    }

    /** Waits for the JVM to end (a fault point halts it) and returns its exit status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) throw new AssertionError("the service did not exit: " + tail());
        return process.exitValue();
    }

    /** kill -9. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String tail() {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
