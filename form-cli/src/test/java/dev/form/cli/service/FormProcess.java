package dev.form.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs bin/form as a child process, the way a user does, on the build this test run made. */
public final class FormProcess {
    private final Path repo;
    private final Map<String, String> env = new HashMap<>();
    private String stdin = "";

    public FormProcess(Path home) {
        this.repo = repoRoot();
        env.put("HOME", home.toString());
        env.put("FORM_BUILD_DIR", System.getProperty("form.cli.buildDir", "target"));
        // The build under test is the one this Maven run just packaged: never rebuild it from inside a test.
        env.put("FORM_NO_BUILD", "1");
    }

    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !p.resolve("bin").resolve("form").toFile().exists()) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find bin/form above " + Path.of("").toAbsolutePath());
        return p;
    }

    public Path launcher() {
        return repo.resolve("bin").resolve("form");
    }

    public FormProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public FormProcess stdin(String text) {
        stdin = text;
        return this;
    }

    public Result run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FORM"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("bin/form " + String.join(" ", args) + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record Result(int exitCode, String out, String err) {
        public JsonNode json() {
            try {
                return Json.mapper().readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
