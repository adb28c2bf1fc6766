package dev.form.cli;

import dev.form.cli.http.ServiceError;
import dev.form.cli.output.Printer;
import dev.form.core.keys.KeyException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns whatever a command threw into one line on stderr (plus a hint), the documented exit code, and
 * with --json an error document on stdout. Stack traces only with --debug.
 */
final class FailureReporter implements IExecutionExceptionHandler {
    private final CliContext context;

    FailureReporter(CliContext context) {
        this.context = context;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        OutputOptions options = commandLine.getCommand() instanceof BaseCommand b ? b.outputOptions() : null;
        boolean debug = options != null && options.debug();
        boolean json = options != null && options.json();
        CliFailure failure = asFailure(ex);
        report(context, failure, json);
        if (debug) {
            ex.printStackTrace(context.err());
            context.err().flush();
        }
        return failure.exitCode();
    }

    static CliFailure asFailure(Throwable ex) {
        if (ex instanceof CliFailure f) return f;
        if (ex instanceof KeyException k) return IdentityResolver.failure(k);
        return new CliFailure(CliFailure.SERVICE_FAILURE, "internal error in the form CLI: " + ex,
                "rerun with --debug for the stack trace", "cli_internal", ex);
    }

    static void report(CliContext context, CliFailure failure, boolean json) {
        PrintWriter err = context.err();
        err.println("error: " + failure.getMessage());
        if (failure.hint() != null) err.println("hint: " + failure.hint());
        err.flush();
        if (json && !failure.isResultPrinted()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", failure.code());
            error.put("message", failure.getMessage());
            if (failure instanceof ServiceError se) {
                error.put("status", se.status());
                if (se.body().field() != null) error.put("field", se.body().field());
                if (se.body().hypervisor() != null) error.put("hypervisor", se.body().hypervisor());
                if (se.body().message() != null) error.put("message", se.body().message());
            }
            if (failure.hint() != null) error.put("hint", failure.hint());
            error.put("exitCode", failure.exitCode());
            context.out().println(Printer.toJson(Map.of("error", error)));
            context.out().flush();
        }
    }
}
