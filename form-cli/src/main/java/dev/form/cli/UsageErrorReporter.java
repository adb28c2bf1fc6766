package dev.form.cli;

import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

import java.util.Arrays;

/** A command line that does not parse: the reason, where to get help, exit 2. */
final class UsageErrorReporter implements IParameterExceptionHandler {
    private final CliContext context;

    UsageErrorReporter(CliContext context) {
        this.context = context;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String qualified = cmd.getCommandSpec().qualifiedName();
        StringBuilder suggestion = new StringBuilder();
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty())
            suggestion.append("did you mean: ").append(String.join(" or ", u.getSuggestions())).append("? ");
        suggestion.append("see '").append(qualified).append(" --help'");
        CliFailure failure = new CliFailure(CliFailure.USAGE, message(ex), suggestion.toString(), "usage", ex);
        boolean json = Arrays.asList(args).contains("--json");
        FailureReporter.report(context, failure, json);
        return CliFailure.USAGE;
    }

    private static String message(ParameterException ex) {
        String m = ex.getMessage() == null ? "invalid command line" : ex.getMessage();
        return m.startsWith("Error: ") ? m.substring("Error: ".length()) : m;
    }
}
