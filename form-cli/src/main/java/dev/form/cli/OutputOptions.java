package dev.form.cli;

import picocli.CommandLine.Option;

/** --json and --debug, on every command. */
public final class OutputOptions {
    @Option(names = "--json", description = "Print the result as JSON with the service's field names (errors too, on stdout).")
    boolean json;

    @Option(names = "--debug", description = "Show stack traces and the HTTP exchange on stderr.")
    boolean debug;

    public boolean json() {
        return json;
    }

    public boolean debug() {
        return debug;
    }
}
