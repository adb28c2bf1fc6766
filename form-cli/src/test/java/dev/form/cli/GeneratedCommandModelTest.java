package dev.form.cli;

import dev.form.cli.model.CommandModelGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ITypeInfo;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated picocli model (what runs use) against picocli's reflective model of the annotated commands (the
 * source of truth): the committed source is what the generator writes today, and for every command the help
 * text, every attribute, the parsed values and the errors are the same.
 */
class GeneratedCommandModelTest {
    private static final String REGENERATE = "regenerate it: build form-cli (package), then run "
            + "java -cp form-cli/<build dir>/form-cli-0.1.0-SNAPSHOT-launcher.jar dev.form.cli.model.CommandModelGenerator form-cli/src/main/java";

    @TempDir
    Path home;

    private CliContext quiet() {
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        return new CliContext(Map.of(), home, new ByteArrayInputStream(new byte[0]), sink, sink);
    }

    @Test
    void theCommittedGeneratedSourcesAreWhatTheGeneratorWritesFromTheAnnotations() throws Exception {
        Map<String, String> fresh = CommandModelGenerator.generate();
        assertThat(fresh).hasSizeGreaterThanOrEqualTo(4);
        for (Map.Entry<String, String> e : fresh.entrySet()) {
            Path committed = Path.of("src/main/java").resolve(e.getKey());
            assertThat(committed).as(committed + " is missing: " + REGENERATE).exists();
            assertThat(Files.readString(committed, StandardCharsets.UTF_8)).as(committed + " differs from the annotations: " + REGENERATE)
                    .isEqualTo(e.getValue());
        }
    }

    @Test
    void everyCommandHasTheSameHelpTextByteForByte() {
        List<CommandLine[]> pairs = pairs();
        assertThat(pairs).hasSizeGreaterThan(25);
        for (CommandLine[] p : pairs) {
            String name = p[0].getCommandSpec().qualifiedName(" ");
            assertThat(p[1].getUsageMessage(CommandLine.Help.Ansi.OFF)).as(name).isEqualTo(p[0].getUsageMessage(CommandLine.Help.Ansi.OFF));
            assertThat(p[1].getUsageMessage(CommandLine.Help.Ansi.ON)).as(name).isEqualTo(p[0].getUsageMessage(CommandLine.Help.Ansi.ON));
        }
    }

    @Test
    void everyCommandOptionPositionalAndGroupHasTheSameAttributes() throws Exception {
        for (CommandLine[] p : pairs()) {
            CommandSpec r = p[0].getCommandSpec();
            CommandSpec g = p[1].getCommandSpec();
            String name = r.qualifiedName(" ");
            assertThat(g.userObject().getClass()).as(name).isEqualTo(r.userObject().getClass());
            assertThat(commandAttributes(g)).as(name).isEqualTo(commandAttributes(r));
            assertThat(getters(g.usageMessage())).as(name + " usage message").isEqualTo(getters(r.usageMessage()));
            assertThat(getters(g.parser())).as(name + " parser").isEqualTo(getters(r.parser()));
            assertThat(g.options()).as(name).hasSameSizeAs(r.options());
            for (int i = 0; i < r.options().size(); i++) {
                assertThat(argAttributes(g, g.options().get(i))).as(name + " " + r.options().get(i).longestName())
                        .isEqualTo(argAttributes(r, r.options().get(i)));
            }
            assertThat(g.positionalParameters()).as(name).hasSameSizeAs(r.positionalParameters());
            for (int i = 0; i < r.positionalParameters().size(); i++) {
                assertThat(argAttributes(g, g.positionalParameters().get(i))).as(name + " positional " + i)
                        .isEqualTo(argAttributes(r, r.positionalParameters().get(i)));
            }
            assertThat(g.argGroups()).as(name).hasSameSizeAs(r.argGroups());
            for (int i = 0; i < r.argGroups().size(); i++) {
                assertThat(groupAttributes(g.argGroups().get(i))).as(name + " group").isEqualTo(groupAttributes(r.argGroups().get(i)));
            }
            // @Spec: the command object holds its own model.
            if (g.userObject() instanceof BaseCommand b) assertThat(b.spec).as(name).isSameAs(g);
        }
    }

    @Test
    void aRunBuildsItsCommandsFromTheGeneratedModel() {
        CommandLine run = FormCli.commandLineFor(quiet(), "manage", "add", "disk", "-n", "web", "--path", "x");
        CommandLine disk = run.getSubcommands().get("manage").getSubcommands().get("add").getSubcommands().get("disk");
        // The generated bindings, not picocli's reflective field bindings.
        for (OptionSpec o : disk.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) continue;
            assertThat(o.setter().getClass().getName()).as(o.longestName()).isEqualTo("dev.form.cli.model.BoundField");
        }
        // What the root's INHERIT scope gives each command on the path: the standard help options.
        for (CommandLine c = run; c != null; c = c.getSubcommands().isEmpty() ? null : c.getSubcommands().values().iterator().next()) {
            assertThat(c.getCommandSpec().mixinStandardHelpOptions()).as(c.getCommandSpec().qualifiedName()).isTrue();
            assertThat(c.getCommandSpec().findOption("--help").usageHelp()).isTrue();
            assertThat(c.getCommandSpec().findOption("-V").versionHelp()).isTrue();
        }
    }

    /** Argument lists covering every option of `manage add disk`, the group both ways, and the errors. */
    private static final List<List<String>> PARSES = List.of(
            List.of("manage", "add", "disk", "-n", "web", "--path", "a.raw"),
            List.of("manage", "add", "disk", "-i", "5f2c", "--path", "/srv/a.qcow2", "--readonly", "--direct", "--iommu",
                    "--disk-id", "d1", "--size", "10G", "--serial", "S1", "--num-queues", "2", "--queue-size", "128",
                    "--bw-size", "10M", "--bw-refill-ms", "1000", "--bw-one-time-burst", "1G", "--ops-size", "100",
                    "--ops-refill-ms", "500", "--ops-one-time-burst", "7", "--queue", "--wait", "--timeout", "2m",
                    "--json", "--debug", "--host", "http://10.0.0.5:3002", "--private-key", "-", "--keyfile", "/k.json",
                    "--password-file", "-", "--mnemonic", "w1 w2", "--derivation-path", "m/44'/60'/0'/0/1", "--passphrase", "p"),
            List.of("manage", "add", "disk", "--name=web", "--path=a.raw", "--size=1M"),
            List.of("manage", "add", "fs", "-n", "web", "--source", "/srv", "--tag", "t", "--fs-id", "f", "--num-queues", "1", "--queue-size", "64"),
            List.of("manage", "add", "device", "-i", "x", "--path", "0000:01:00.0", "--device-id", "gpu0", "--iommu"),
            List.of("manage", "remove", "-n", "web", "data1", "--wait", "--timeout", "30s"),
            List.of("manage", "rm", "disk", "-n", "web", "--disk-id", "d"),
            List.of("manage", "status", "abc", "--wait", "--timeout", "500ms"),
            List.of("manage", "create", "--name", "w", "--kernel", "k", "--disk", "a", "--disk", "b", "--memory", "512M", "--max-memory", "1G",
                    "--cpus", "1", "--max-cpus", "2", "--no-shared-memory", "--autostart"),
            List.of("manage", "console", "-n", "web", "-f", "--offset", "10", "--interval", "100"),
            List.of("manage", "ls", "--json"),
            List.of("vmm", "serve", "--admin", "0x1", "--admin", "0x2", "--removal-timeout", "5s", "--hypervisor", "qemu"),
            List.of("wallet", "new", "--mnemonic-words", "12", "--test-only-cheap-kdf"),
            List.of("completion", "zsh"),
            // errors
            List.of("manage", "add", "disk", "-n", "web"),
            List.of("manage", "add", "disk", "--path", "x"),
            List.of("manage", "add", "disk", "-n", "a", "-i", "b", "--path", "x"),
            List.of("manage", "add", "disk", "-n", "web", "--path", "x", "--read-only"),
            List.of("manage", "add", "disk", "-n", "web", "--path", "x", "--size", "10Q"),
            List.of("manage", "add", "disk", "-n", "web", "--path", "x", "--num-queues", "two"),
            List.of("manage", "add", "disk", "-n", "web", "--path", "x", "--timeout", "soon"),
            List.of("manage", "add", "disk", "-n", "web", "--path"),
            List.of("manage", "remove", "-n", "web"),
            List.of("manage", "ad"),
            List.of("completion", "fish"));

    @Test
    void parsingGivesTheSameValuesAndTheSameErrors() throws Exception {
        for (List<String> args : PARSES) {
            String[] a = args.toArray(String[]::new);
            assertThat(parse(FormCli.commandLineFor(quiet(), a), a)).as(String.join(" ", args))
                    .isEqualTo(parse(FormCli.commandLine(quiet()), a));
        }
    }

    @Test
    void theEntryPointAnswersHelpAndVersionWithTheSameTextAndExitCode() {
        for (List<String> args : List.of(List.of("--help"), List.of("-h"), List.of("-V"), List.of("--version"), List.of("manage", "--help"),
                List.of("manage", "add", "disk", "--help"), List.of("manage", "add", "disk", "-V"), List.of("manage", "rm", "disk", "-h"),
                List.of("manage", "ls", "--help"), List.of("wallet", "--help"), List.of("vmm", "serve", "--help"), List.of("completion", "--help"))) {
            String[] a = args.toArray(String[]::new);
            StringWriter gOut = new StringWriter(), gErr = new StringWriter(), rOut = new StringWriter(), rErr = new StringWriter();
            int generated = FormCli.run(context(gOut, gErr), a);
            int expected = FormCli.commandLine(context(rOut, rErr)).execute(a);
            assertThat(generated).as(String.join(" ", args)).isEqualTo(expected).isZero();
            assertThat(gOut.toString()).as(String.join(" ", args)).isEqualTo(rOut.toString()).isNotBlank();
            assertThat(gErr.toString()).as(String.join(" ", args)).isEqualTo(rErr.toString());
        }
    }

    @Test
    void theEntryPointAnswersErrorsWithTheSameMessagesAndExitCodes() {
        for (List<String> args : PARSES) {
            String[] a = args.toArray(String[]::new);
            if (!isError(a)) continue;
            StringWriter gOut = new StringWriter(), gErr = new StringWriter(), rOut = new StringWriter(), rErr = new StringWriter();
            int generated = FormCli.run(context(gOut, gErr), a);
            CliContext reflective = context(rOut, rErr);
            int expected = FormCli.commandLine(reflective).execute(a);
            assertThat(generated).as(String.join(" ", args)).isEqualTo(expected).isEqualTo(CliFailure.USAGE);
            assertThat(gErr.toString()).as(String.join(" ", args)).isEqualTo(rErr.toString()).startsWith("error: ");
            assertThat(gOut.toString()).isEqualTo(rOut.toString());
        }
    }

    private boolean isError(String[] a) {
        try {
            FormCli.commandLine(quiet()).parseArgs(a);
            return false;
        } catch (ParameterException e) {
            return true;
        }
    }

    private CliContext context(StringWriter out, StringWriter err) {
        return new CliContext(Map.of(), home, new ByteArrayInputStream(new byte[0]), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** The values every command object on the parsed path holds, or the parse error. */
    private static String parse(CommandLine cl, String[] args) throws Exception {
        try {
            CommandLine.ParseResult result = cl.parseArgs(args);
            StringBuilder sb = new StringBuilder();
            for (CommandLine c : result.asCommandLineList()) {
                sb.append(c.getCommandSpec().qualifiedName(" ")).append(' ').append(values(c.getCommand())).append('\n');
            }
            return sb.toString();
        } catch (ParameterException e) {
            return "error " + e.getClass().getSimpleName() + ": " + e.getMessage() + " (at " + e.getCommandLine().getCommandSpec().qualifiedName(" ") + ")";
        }
    }

    /** The object's fields (mixins and group objects included), as text. */
    private static Map<String, String> values(Object o) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType() == CommandSpec.class || f.getType() == CliContext.class) continue;
                f.setAccessible(true);
                Object v = f.get(o);
                String key = c.getSimpleName() + "." + f.getName();
                if (v != null && v.getClass().getName().startsWith("dev.form.cli.") && !v.getClass().isEnum()) {
                    values(v).forEach((k, x) -> out.put(key + "." + k, x));
                    out.put(key, "present");
                } else if (!(v != null && v.getClass().getName().startsWith("dev.form.cli.http"))) {
                    out.put(key, String.valueOf(v));
                }
            }
        }
        return out;
    }

    private List<CommandLine[]> pairs() {
        List<CommandLine[]> out = new ArrayList<>();
        pair(FormCli.commandLine(quiet()), FormCli.generatedCommandLine(quiet()), out);
        return out;
    }

    private static void pair(CommandLine reflective, CommandLine generated, List<CommandLine[]> into) {
        into.add(new CommandLine[] {reflective, generated});
        assertThat(new ArrayList<>(generated.getSubcommands().keySet())).as(reflective.getCommandSpec().qualifiedName(" "))
                .isEqualTo(new ArrayList<>(reflective.getSubcommands().keySet()));
        for (CommandLine sub : new LinkedHashSet<>(reflective.getSubcommands().values())) {
            pair(sub, generated.getSubcommands().get(sub.getCommandSpec().name()), into);
        }
    }

    private static Map<String, Object> commandAttributes(CommandSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("aliases", List.of(s.aliases()));
        m.put("qualifiedName", s.qualifiedName());
        m.put("version", List.of(s.version()));
        m.put("mixins", new ArrayList<>(s.mixins().keySet()));
        m.put("mixinStandardHelpOptions", s.mixinStandardHelpOptions());
        // Not the command's scope: the root's INHERIT makes picocli copy its attributes into subcommands as they
        // are added (building the help options by reflection); the generated model holds the copied result.
        m.put("helpCommand", s.helpCommand());
        m.put("interpolateVariables", s.interpolateVariables());
        m.put("subcommandsRepeatable", s.subcommandsRepeatable());
        m.put("exitCodes", List.of(s.exitCodeOnSuccess(), s.exitCodeOnUsageHelp(), s.exitCodeOnVersionHelp(), s.exitCodeOnInvalidInput(),
                s.exitCodeOnExecutionException()));
        m.put("requiredArgs", s.requiredArgs().stream().map(GeneratedCommandModelTest::argName).toList());
        m.put("optionsMap", new ArrayList<>(s.optionsMap().keySet()));
        m.put("negatedOptionsMap", new ArrayList<>(s.negatedOptionsMap().keySet()));
        m.put("versionProvider", s.versionProvider() == null ? null : s.versionProvider().getClass());
        m.put("defaultValueProvider", s.defaultValueProvider());
        m.put("resourceBundleBaseName", s.resourceBundleBaseName());
        return m;
    }

    private static String argName(ArgSpec a) {
        return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
    }

    private static Map<String, Object> argAttributes(CommandSpec owner, ArgSpec a) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", a.getClass().getSimpleName());
        if (a instanceof OptionSpec o) {
            m.put("names", List.of(o.names()));
            m.put("order", o.order());
            m.put("help", o.help());
            m.put("usageHelp", o.usageHelp());
            m.put("versionHelp", o.versionHelp());
            m.put("negatable", o.negatable());
            m.put("fallbackValue", o.fallbackValue());
        }
        if (a instanceof PositionalParamSpec p) m.put("index", p.index().toString() + "/" + p.index().isUnspecified());
        m.put("arity", a.arity().toString() + "/" + a.arity().isUnspecified());
        m.put("required", a.required());
        m.put("originallyRequired", a.originallyRequired());
        m.put("paramLabel", a.paramLabel());
        m.put("hideParamSyntax", a.hideParamSyntax());
        m.put("description", List.of(a.description()));
        m.put("renderedDescription", List.of(a.renderedDescription()));
        m.put("descriptionKey", a.descriptionKey());
        m.put("defaultValue", a.defaultValue());
        m.put("defaultValueString", a.defaultValueString());
        m.put("mapFallbackValue", a.mapFallbackValue());
        m.put("initialValue", String.valueOf(a.initialValue()));
        m.put("hasInitialValue", a.hasInitialValue());
        m.put("hidden", a.hidden());
        m.put("inherited", a.inherited());
        m.put("interactive", a.interactive());
        m.put("echo", a.echo());
        m.put("prompt", a.prompt());
        m.put("splitRegex", a.splitRegex());
        m.put("splitRegexSynopsisLabel", a.splitRegexSynopsisLabel());
        m.put("showDefaultValue", a.showDefaultValue());
        m.put("scopeType", a.scopeType());
        m.put("type", a.type());
        m.put("auxiliaryTypes", List.of(a.auxiliaryTypes()));
        m.put("typeInfo", typeInfo(a.typeInfo()));
        m.put("converters", Arrays.stream(a.converters()).map(c -> c.getClass()).toList());
        List<String> candidates = new ArrayList<>();
        if (a.completionCandidates() != null) a.completionCandidates().forEach(candidates::add);
        m.put("completionCandidates", candidates);
        m.put("parameterConsumer", a.parameterConsumer());
        m.put("preprocessor", a.preprocessor() == null ? null : a.preprocessor().getClass());
        m.put("multiValue", a.isMultiValue());
        m.put("group", a.group() == null ? null : a.group().synopsis());
        String mixin = null;
        for (Map.Entry<String, CommandSpec> e : owner.mixins().entrySet()) for (ArgSpec x : e.getValue().args()) if (x == a) mixin = e.getKey();
        m.put("mixin", mixin);
        // A group's options have no object to read until the group matches.
        if (a.group() == null) m.put("value", String.valueOf((Object) a.getValue()));
        return m;
    }

    private static Map<String, Object> typeInfo(ITypeInfo t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", t.getType());
        m.put("aux", List.of(t.getAuxiliaryTypes()));
        m.put("flags", List.of(t.isBoolean(), t.isMultiValue(), t.isOptional(), t.isArray(), t.isCollection(), t.isMap(), t.isEnum()));
        m.put("enum", t.getEnumConstantNames());
        m.put("className", t.getClassName() + " " + t.getClassSimpleName());
        return m;
    }

    private static Map<String, Object> groupAttributes(ArgGroupSpec g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("exclusive", g.exclusive());
        m.put("multiplicity", g.multiplicity().toString());
        m.put("validate", g.validate());
        m.put("order", g.order());
        m.put("heading", g.heading());
        m.put("headingKey", g.headingKey());
        m.put("synopsis", g.synopsis());
        m.put("typeInfo", typeInfo(g.typeInfo()));
        m.put("args", g.args().stream().map(GeneratedCommandModelTest::argName).toList());
        m.put("subgroups", g.subgroups().size());
        return m;
    }

    /** Every public no-argument getter's value (the usage message's and the parser's settings). */
    private static Map<String, Object> getters(Object spec) throws Exception {
        Map<String, Object> m = new TreeMap<>();
        for (Method method : spec.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || method.getDeclaringClass() == Object.class || method.getReturnType() == void.class) continue;
            if (Modifier.isStatic(method.getModifiers())) continue;
            String n = method.getName();
            if (n.equals("hashCode") || n.equals("toString") || n.equals("helpFactory") || n.equals("messages") || n.equals("sectionMap")
                    || n.equals("sectionKeys") || n.equals("colorScheme")) continue;
            Object v = method.invoke(spec);
            m.put(n, v != null && v.getClass().isArray() ? Arrays.deepToString(new Object[] {v}) : v);
        }
        return m;
    }
}
