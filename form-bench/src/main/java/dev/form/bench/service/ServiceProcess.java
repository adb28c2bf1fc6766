package dev.form.bench.service;

import dev.form.vmm.VmmServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The service as it runs in production, alone in its JVM ({@code VmmServer.main}, the launcher's JVM options),
 * so that its resident memory can be read from /proc without the harness's own in it.
 */
final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private ServiceProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ServiceProcess start(Path dataDir, String admin, Path cloudHypervisorBin, Path log, List<String> jvmOptions)
            throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        List<String> cmd = new ArrayList<>(JavaCommand.of(options, VmmServer.class));
        cmd.addAll(List.of("--data-dir", dataDir.toString(), "--listen", "127.0.0.1:0", "--admin", admin,
                "--hypervisor", "cloud-hypervisor", "--cloud-hypervisor-bin", cloudHypervisorBin.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("listening on port ")) port.complete(Integer.parseInt(line.substring(18).trim()));
                }
            } catch (IOException | NumberFormatException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IOException("the service exited before listening"));
        }, "service-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            return new ServiceProcess(p, port.get(90, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("the service process did not start: " + e.getMessage() + "; see " + log + ":\n" + Files.readString(log));
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /**
     * Resident memory after a full GC (asked through jcmd), in bytes: what the service holds, not the
     * garbage it has not collected yet.
     */
    long residentBytesAfterGc() throws IOException, InterruptedException {
        Path jcmd = JavaCommand.jcmd();
        if (Files.isExecutable(jcmd)) {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(60, TimeUnit.SECONDS)) gc.destroyForcibly();
            Thread.sleep(300);
        }
        return Rss.ofPid(process.pid());
    }

    /**
     * Where the resident memory goes, for the report: the JVM's own heap summary (jcmd GC.heap_info) and
     * the thread count; empty when jcmd is missing.
     */
    String memoryBreakdown() throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("Threads:") || line.startsWith("VmRSS:") || line.startsWith("RssAnon:") || line.startsWith("RssFile:")) {
                out.append(line.replaceAll("\\s+", " ")).append("; ");
            }
        }
        Path jcmd = JavaCommand.jcmd();
        if (Files.isExecutable(jcmd)) {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.heap_info").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            text.lines().filter(l -> l.contains("total") || l.contains("Metaspace") || l.contains("class space"))
                    .forEach(l -> out.append(l.trim().replaceAll("\\s+", " ")).append("; "));
            // only answers when the service was started with -XX:NativeMemoryTracking=summary
            Process nmt = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "VM.native_memory", "summary")
                    .redirectErrorStream(true).start();
            String summary = new String(nmt.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            nmt.waitFor(30, TimeUnit.SECONDS);
            summary.lines().filter(l -> l.startsWith("Total:") || l.matches("^-\\s+\\S.*\\(reserved=.*"))
                    .forEach(l -> out.append("\n    ").append(l.replaceAll("\\s+", " ").trim()));
        }
        return out.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
