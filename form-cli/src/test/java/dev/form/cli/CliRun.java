package dev.form.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.Json;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the real form command tree in-process with its own environment, home and captured streams. */
public final class CliRun {
    private final Map<String, String> env = new HashMap<>();
    private final Path home;
    private String stdin = "";

    public CliRun(Path home) {
        this.home = home;
    }

    public CliRun env(String name, String value) {
        if (value == null) env.remove(name);
        else env.put(name, value);
        return this;
    }

    public CliRun stdin(String text) {
        this.stdin = text;
        return this;
    }

    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext ctx = new CliContext(env, home, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true));
        int code = FormCli.run(ctx, args);
        return new Result(code, out.toString(), err.toString());
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
