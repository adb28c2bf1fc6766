package dev.form.cli;

import picocli.CommandLine;

/** The form command tree wired to a {@link CliContext}: the one entry point for Main, tests and the AOT training run. */
public final class FormCli {
    private FormCli() {
    }

    public static CommandLine commandLine(CliContext context) {
        CommandLine cl = new CommandLine(new FormCommand(context));
        cl.setOut(context.out());
        cl.setErr(context.err());
        cl.setExecutionExceptionHandler(new FailureReporter(context));
        cl.setParameterExceptionHandler(new UsageErrorReporter(context));
        cl.setUsageHelpWidth(120);
        cl.setUsageHelpAutoWidth(true);
        return cl;
    }

    /** Runs the command line; returns the exit code. */
    public static int run(CliContext context, String... args) {
        return commandLine(context).execute(args);
    }
}
