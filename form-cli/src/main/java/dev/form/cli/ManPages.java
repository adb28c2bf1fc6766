package dev.form.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.File;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Build-time only (run by the exec plugin at package): writes the AsciiDoc man pages of every form command
 * to the directory given as the first argument. picocli-codegen is not on the launcher's class path.
 */
public final class ManPages {
    private ManPages() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) throw new IllegalArgumentException("usage: ManPages OUTPUT_DIR");
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        CliContext context = new CliContext(Map.of(), Path.of(System.getProperty("user.home")), InputStream.nullInputStream(), quiet, quiet);
        CommandSpec spec = FormCli.commandLine(context).getCommandSpec();
        File out = new File(args[0]);
        if (!out.isDirectory() && !out.mkdirs()) throw new IllegalStateException("cannot create " + out);
        int rc = ManPageGenerator.generateManPage(out, null, new boolean[0], true, spec);
        if (rc != 0) throw new IllegalStateException("man page generator exited " + rc);
    }
}
