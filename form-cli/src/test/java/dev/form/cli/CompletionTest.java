package dev.form.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** form completion bash|zsh: a script that a real bash accepts and that completes form's commands and flags. */
class CompletionTest {
    @TempDir
    Path home;

    @Test
    void bashScriptCompletesCommandsAndFlags() throws Exception {
        CliRun.Result r = new CliRun(home).run("completion", "bash");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("complete -F").contains("manage").contains("--disk-id").contains("--bw-refill-ms");
        Path script = home.resolve("form.bash");
        Files.writeString(script, r.out());
        // Source it in a real bash and ask it to complete "form manage ad".
        Process p = new ProcessBuilder("bash", "-c", "source " + script + " && COMP_WORDS=(form manage ad) && COMP_CWORD=2 "
                + "&& COMP_LINE='form manage ad' && COMP_POINT=${#COMP_LINE} && _complete_form && printf '%s\\n' \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out.lines()).contains("add", "adopt");
        Process flags = new ProcessBuilder("bash", "-c", "source " + script + " && COMP_WORDS=(form manage add disk --bw) && COMP_CWORD=4 "
                + "&& COMP_LINE='form manage add disk --bw' && COMP_POINT=${#COMP_LINE} && _complete_form && printf '%s\\n' \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true).start();
        String flagOut = new String(flags.getInputStream().readAllBytes());
        assertThat(flags.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(flagOut.lines()).contains("--bw-size", "--bw-refill-ms", "--bw-one-time-burst");
    }

    @Test
    void zshScriptLoadsBashcompinit() {
        CliRun.Result r = new CliRun(home).run("completion", "zsh");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("#compdef form").contains("bashcompinit").contains("--fs-id");
    }
}
