package dev.form.cli.service;

import dev.form.testkit.Prerequisites;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the README's walk-through exactly as written (its ```sh blocks, in order, in one bash with -e), with
 * bin/ on PATH and a fresh HOME, as a new user would. Whatever it starts in the background ends with it.
 */
@Tag("qemu")
class ReadmeWalkthroughIT {
    @TempDir
    Path home;

    @Test
    void theWalkthroughRunsAsWritten() throws Exception {
        Path repo = FormProcess.repoRoot();
        String readme = Files.readString(repo.resolve("README.md"), StandardCharsets.UTF_8);
        List<String> blocks = ReadmeWalkthrough.shellBlocks(readme);
        assertThat(blocks).as("README.md has a \"Walk-through\" section with ```sh blocks").isNotEmpty();
        String script = String.join("\n", blocks);
        if (script.contains("qemu")) {
            Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")), "qemu-system-x86_64 (Debian package qemu-system-x86)");
        }
        Path file = home.resolve("walkthrough.sh");
        Files.writeString(file, "set -euo pipefail\nset -x\n" + script);
        ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("FORM"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("PATH", repo.resolve("bin") + ":" + pb.environment().get("PATH"));
        pb.environment().put("FORM_BUILD_DIR", System.getProperty("form.cli.buildDir", "target"));
        pb.environment().put("FORM_NO_BUILD", "1");
        Process p = pb.start();
        Path log = home.resolve("walkthrough.log");
        Thread pump = Thread.ofVirtual().start(() -> {
            try {
                Files.write(log, p.getInputStream().readAllBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // Background processes the walk-through starts (a service, say) outlive bash: note them while it runs.
        java.util.Set<ProcessHandle> started = new java.util.HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (p.isAlive() && System.nanoTime() < deadline) {
            p.descendants().forEach(started::add);
            p.waitFor(200, TimeUnit.MILLISECONDS);
        }
        boolean finished = !p.isAlive();
        p.descendants().forEach(started::add);
        started.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
        if (!finished) p.destroyForcibly();
        pump.join(10_000);
        String output = Files.exists(log) ? Files.readString(log) : "";
        assertThat(finished).as("walk-through finished within 15 minutes:\n" + output).isTrue();
        assertThat(p.exitValue()).as("walk-through output:\n" + output).isZero();
    }
}
