package dev.form.cli;

import dev.form.cli.output.Printer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Every runnable command: --json, --debug, and the run's {@link CliContext}. */
public abstract class BaseCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Mixin
    protected OutputOptions output;

    protected CliContext context() {
        Object root = spec.root().userObject();
        return root instanceof FormCommand form ? form.context() : CliContext.system();
    }

    protected Printer printer() {
        return new Printer(context().out(), output.json());
    }

    public OutputOptions outputOptions() {
        return output;
    }

    @Override
    public final Integer call() throws Exception {
        return run();
    }

    /** Does the work; returns the exit code (0) or throws a {@link CliFailure}. */
    protected abstract int run() throws Exception;
}
