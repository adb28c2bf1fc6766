package dev.form.e2e;

import dev.form.cli.CliContext;
import dev.form.cli.FormCli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The real form command tree (FormCli, as Main runs it) in this JVM, with its own environment, home and captured output. */
final class InProcessCli {
    private final Map<String, String> env;
    private final Path home;

    InProcessCli(Path home, Map<String, String> env) {
        this.home = home;
        this.env = new HashMap<>(env);
    }

    CliResult run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext ctx = new CliContext(env, home, new ByteArrayInputStream(new byte[0]), new PrintWriter(out, true), new PrintWriter(err, true));
        int code = FormCli.run(ctx, args);
        return new CliResult(String.join(" ", args), code, out.toString(), err.toString());
    }
}
