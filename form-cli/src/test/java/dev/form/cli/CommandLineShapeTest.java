package dev.form.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The command tree itself: every command has help with examples, and the flags the issues list exist as written. */
class CommandLineShapeTest {
    @TempDir
    Path home;

    static List<CommandLine> allCommands() {
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        CommandLine root = FormCli.commandLine(new CliContext(Map.of(), Path.of("/nonexistent"), InputStream.nullInputStream(), quiet, quiet));
        List<CommandLine> all = new ArrayList<>();
        collect(root, all);
        return all;
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        for (CommandLine sub : new java.util.LinkedHashSet<>(cl.getSubcommands().values())) collect(sub, into);
    }

    static Set<String> optionNames(String... path) {
        CommandLine cl = allCommands().get(0);
        for (String p : path) cl = cl.getSubcommands().get(p);
        Set<String> names = new TreeSet<>();
        for (OptionSpec o : cl.getCommandSpec().options()) names.addAll(List.of(o.names()));
        return names;
    }

    @Test
    void everyCommandHasHelpWithExamplesAndExitsZero() {
        List<CommandLine> all = allCommands();
        assertThat(all).hasSizeGreaterThan(25);
        for (CommandLine cl : all) {
            String[] words = cl.getCommandSpec().qualifiedName(" ").split(" ");
            List<String> args = new ArrayList<>(List.of(words).subList(1, words.length));
            args.add("--help");
            CliRun.Result r = new CliRun(home).run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: " + cl.getCommandSpec().qualifiedName(" ")).contains("Examples:");
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void everyRunnableCommandTakesJsonAndDebug() {
        for (CommandLine cl : allCommands()) {
            CommandSpec spec = cl.getCommandSpec();
            if (!(spec.userObject() instanceof BaseCommand)) continue;
            assertThat(spec.findOption("--json")).as(spec.qualifiedName()).isNotNull();
            assertThat(spec.findOption("--debug")).as(spec.qualifiedName()).isNotNull();
        }
    }

    @Test
    void everySigningCommandTakesTheIdentityFlagsAndHost() {
        int signing = 0;
        for (CommandLine cl : allCommands()) {
            CommandSpec spec = cl.getCommandSpec();
            if (!(spec.userObject() instanceof ServiceCommand)) continue;
            signing++;
            for (String flag : List.of("--private-key", "--keyfile", "--password-file", "--mnemonic", "--derivation-path", "--passphrase", "--host"))
                assertThat(spec.findOption(flag)).as(spec.qualifiedName() + " " + flag).isNotNull();
        }
        assertThat(signing).isGreaterThanOrEqualTo(19);
    }

    @Test
    void addDiskHasThePlansFlagsAndWhatTheServiceSupports() {
        assertThat(optionNames("manage", "add", "disk")).contains("-i", "--id", "-n", "--name", "--path", "--readonly", "--direct",
                "--iommu", "--disk-id", "--queue", "--size", "--serial", "--num-queues", "--queue-size", "--bw-size",
                "--bw-refill-ms", "--bw-one-time-burst", "--ops-size", "--ops-refill-ms", "--ops-one-time-burst", "--wait", "--timeout");
        assertThat(optionNames("manage", "add", "fs")).contains("--source", "--tag", "--socket", "--queue", "--fs-id",
                "--num-queues", "--queue-size");
        assertThat(optionNames("manage", "add", "device")).contains("--path", "--device-id", "--queue");
        assertThat(optionNames("manage", "add", "batch")).contains("--file");
        assertThat(optionNames("manage", "rm", "disk")).contains("--disk-id");
        assertThat(optionNames("manage", "rm", "fs")).contains("--fs-id");
        assertThat(optionNames("manage", "rm", "device")).contains("--device-id");
        assertThat(optionNames("manage", "resize")).contains("--cpus", "--memory");
        assertThat(optionNames("manage", "delete")).contains("--purge");
        assertThat(optionNames("manage", "console")).contains("--follow");
        assertThat(optionNames("manage", "status")).contains("--wait", "--timeout");
        assertThat(optionNames("manage", "adopt")).contains("--name", "--api-socket");
        assertThat(optionNames("manage", "create")).contains("--name", "--kernel", "--initramfs", "--cmdline", "--disk", "--cpus",
                "--memory", "--max-cpus", "--max-memory", "--no-shared-memory", "--autostart");
        assertThat(optionNames("manage", "grant")).contains("--address", "--level");
    }

    @Test
    void topLevelHelpAndVersion() {
        CliRun.Result help = new CliRun(home).run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("manage", "wallet", "vmm", "completion", "Exit codes:");
        CliRun.Result version = new CliRun(home).run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("form ");
    }
}
