package dev.form.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs scripts of bin/ (form, demo) as child processes, the way a user does, on the build this Maven run packaged. */
final class RepoScripts {
    private RepoScripts() {
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("bin").resolve("form"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find bin/form above " + Path.of("").toAbsolutePath());
        return p;
    }

    /** The Maven output directory name this run builds into (bin/form's FORM_BUILD_DIR). */
    static String buildDir() {
        return System.getProperty("form.cli.buildDir", "target");
    }

    /** bin/form with this environment; it never rebuilds: the jar under test is the one this run packaged. */
    static CliResult binForm(Map<String, String> env, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(repoRoot().resolve("bin/form").toString()));
        cmd.addAll(List.of(args));
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("FORM_BUILD_DIR", buildDir());
        e.put("FORM_NO_BUILD", "1");
        return run(cmd, e, timeout, String.join(" ", args));
    }

    static CliResult run(List<String> command, Map<String, String> env, Duration timeout, String label) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(repoRoot().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FORM"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
                throw new AssertionError(label + " did not finish within " + timeout + "; it printed:\n" + out.join() + "\n" + err.join());
            }
            return new CliResult(label, p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
