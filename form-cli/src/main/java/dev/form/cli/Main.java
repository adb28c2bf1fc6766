package dev.form.cli;

/** The form command's entry point. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = FormCli.run(CliContext.system(), args);
        System.exit(code);
    }
}
