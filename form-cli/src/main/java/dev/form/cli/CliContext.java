package dev.form.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a run of the CLI sees of the outside world: environment, home directory, standard streams.
 * Tests run the real command tree in-process with their own context instead of the process's.
 */
public record CliContext(Map<String, String> environment, Path home, InputStream in, PrintWriter out, PrintWriter err) {

    public CliContext {
        environment = Map.copyOf(environment);
        Objects.requireNonNull(home, "home");
    }

    /** The process's own environment and streams. */
    public static CliContext system() {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        // $HOME, as for any shell tool (the JVM's user.home comes from the password database instead).
        String home = System.getenv("HOME");
        Path homeDir = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"));
        return new CliContext(System.getenv(), homeDir, System.in, out, err);
    }

    /** An environment variable, or null when unset or empty. */
    public String env(String name) {
        String v = environment.get(name);
        return v == null || v.isEmpty() ? null : v;
    }
}
