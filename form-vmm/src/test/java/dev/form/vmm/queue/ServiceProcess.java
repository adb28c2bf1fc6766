package dev.form.vmm.queue;

import dev.form.vmm.VmmServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real service ({@link VmmServer#main}) in a child JVM, so a test can kill it with SIGKILL or let
 * an armed fault point halt it, then start it again on the same data directory.
 */
final class ServiceProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");

    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * @param faults fault points to arm (comma separated), or null
     * @param extraArgs more arguments for the service (e.g. --config FILE)
     */
    static ServiceProcess start(Path dataDir, Path chBin, String admin, String faults, Path log, String... extraArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        if (faults != null) cmd.add("-D" + dev.form.vmm.pipeline.FaultPoints.PROPERTY + "=" + faults);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(VmmServer.class.getName());
        cmd.addAll(List.of("--data-dir", dataDir.toString(), "--listen", "127.0.0.1:0", "--admin", admin,
                "--hypervisor", "cloud-hypervisor", "--cloud-hypervisor-bin", chBin.toString()));
        cmd.addAll(List.of(extraArgs));
        markStart(log, faults == null ? "(no faults)" : faults);
        long from = Files.size(log);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String output = Files.readString(log).substring((int) from);
            Matcher m = LISTENING.matcher(output);
            if (m.find()) return new ServiceProcess(p, log, Integer.parseInt(m.group(1)));
            if (!p.isAlive()) throw new IllegalStateException("the service exited with " + p.exitValue() + " before listening; log:\n" + output);
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("the service did not start within 60 s; log:\n" + Files.readString(log));
    }

    private static void markStart(Path log, String what) throws IOException {
        Files.createDirectories(log.getParent());
        Files.writeString(log, "\n=== start, faults: " + what + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Waits (bounded) for the process to end by itself, e.g. at an armed fault point; its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) throw new IllegalStateException("the service did not halt within " + timeout);
        return process.exitValue();
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
