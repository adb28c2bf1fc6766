package dev.form.cli;

import dev.form.cli.model.GeneratedCommandModels;
import picocli.CommandLine;

/** The form command tree wired to a {@link CliContext}: the one entry point for Main, tests and the AOT training run. */
public final class FormCli {
    static {
        // picocli looks up Groovy's Closure class once per process. Everything else a run loads comes from the
        // AOT cache, so that miss would open the launcher jar (reading its 4,000 entries' directory) for a
        // language form does not use.
        if (System.getProperty("picocli.disable.closures") == null) System.setProperty("picocli.disable.closures", "true");
    }

    private FormCli() {
    }

    /** The whole command tree (completion, man pages, tests of its shape). */
    public static CommandLine commandLine(CliContext context) {
        CommandLine cl = new CommandLine(new FormCommand(context));
        CommandTree.addAll(cl);
        return configure(cl, context);
    }

    /**
     * Just the commands {@code args} names, which is all a run needs (see {@link CommandTree}), built from the
     * generated model: no annotation is read.
     */
    public static CommandLine commandLineFor(CliContext context, String... args) {
        CommandLine cl = new CommandLine(GeneratedCommandModels.spec(new FormCommand(context)));
        CommandTree.addPath(cl, args, 0);
        return configure(cl, context);
    }

    /** The whole tree from the generated model (tests hold it against {@link #commandLine}). */
    public static CommandLine generatedCommandLine(CliContext context) {
        CommandLine cl = new CommandLine(GeneratedCommandModels.spec(new FormCommand(context)));
        CommandTree.addAllGenerated(cl);
        return configure(cl, context);
    }

    private static CommandLine configure(CommandLine cl, CliContext context) {
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
        return commandLineFor(context, args).execute(args);
    }
}
