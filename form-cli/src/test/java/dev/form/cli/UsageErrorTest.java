package dev.form.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Command lines that do not parse: exit 2, one line naming the problem, a hint, never a stack trace. */
class UsageErrorTest {
    @TempDir
    Path home;

    private CliRun.Result run(String... args) {
        return new CliRun(home).run(args);
    }

    private static void assertUsage(CliRun.Result r, String... fragments) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).startsWith("error: ").contains(fragments).contains("hint: ").doesNotContain("Exception", "\tat ");
        assertThat(r.err().lines().count()).isEqualTo(2);
    }

    @Test
    void idAndNameAreExclusive() {
        assertUsage(run("manage", "add", "disk", "-i", "a", "-n", "b", "--path", "x"), "--id", "--name", "mutually exclusive");
    }

    @Test
    void idOrNameIsRequired() {
        assertUsage(run("manage", "add", "disk", "--path", "x"), "-i=ID", "-n=NAME");
        assertUsage(run("manage", "show"), "-i=ID", "-n=NAME");
    }

    @Test
    void requiredFlagsAreNamed() {
        assertUsage(run("manage", "add", "disk", "-n", "web"), "--path");
        assertUsage(run("manage", "add", "fs", "-n", "web", "--source", "/srv"), "--tag");
        assertUsage(run("manage", "add", "device", "-n", "web"), "--path");
        assertUsage(run("manage", "rm", "disk", "-n", "web"), "--disk-id");
        assertUsage(run("manage", "remove", "-n", "web"), "RESOURCE_ID");
        assertUsage(run("manage", "status"), "REQUEST_ID");
    }

    @Test
    void badSizesAndDurationsNameTheRule() {
        assertUsage(run("manage", "add", "disk", "-n", "web", "--path", "x", "--size", "10Q"), "--size", "K, M, G or T");
        assertUsage(run("manage", "add", "disk", "-n", "web", "--path", "x", "--bw-size", "-1"), "--bw-size");
        assertUsage(run("manage", "resize", "-n", "web", "--memory", "lots"), "--memory");
        assertUsage(run("manage", "remove", "-n", "web", "d1", "--timeout", "soon"), "--timeout", "duration");
        assertUsage(run("manage", "add", "disk", "-n", "web", "--path", "x", "--num-queues", "two"), "--num-queues");
    }

    @Test
    void unknownCommandsAndFlagsSuggest() {
        CliRun.Result r = run("manage", "ad");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("ad").contains("did you mean").contains("add");
        assertUsage(run("manage", "add", "disk", "-n", "web", "--path", "x", "--read-only"), "--read-only");
    }

    @Test
    void missingSubcommand() {
        assertUsage(run("manage"), "subcommand", "form manage --help");
        assertUsage(run("manage", "add"), "subcommand");
    }

    @Test
    void usageErrorsInJsonModeAlsoPrintAnErrorDocument() {
        CliRun.Result r = run("manage", "add", "disk", "--path", "x", "--json");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("usage");
        assertThat(r.json().at("/error/exitCode").asInt()).isEqualTo(2);
    }

    @Test
    void badCompletionShell() {
        assertUsage(run("completion", "fish"), "fish");
    }
}
