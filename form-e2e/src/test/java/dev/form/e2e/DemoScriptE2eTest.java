package dev.form.e2e;

import dev.form.hypervisor.qemu.QemuHypervisor;
import dev.form.testkit.Prerequisites;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's main command, run as a user runs it: bin/demo tells the whole story and leaves nothing behind. */
@Tag("qemu")
class DemoScriptE2eTest {

    @Test
    void demoShowsTheGuestSeeingTheDiskAndTheShareAndTheirRemoval() throws Exception {
        Prerequisites.require(QemuHypervisor.findBinary() != null, "qemu-system-x86_64 on PATH (apt-get install qemu-system-x86)");
        boolean virtiofs = Files.isExecutable(E2eHost.VIRTIOFSD) && "root".equals(System.getProperty("user.name"));
        // FORM_PRIVATE_KEY instead of a new keystore: the same story, without scrypt's second per command.
        Map<String, String> env = Map.of("FORM_BUILD_DIR", RepoScripts.buildDir(), "FORM_NO_BUILD", "1",
                "FORM_PRIVATE_KEY", E2eHost.OWNER_KEY);
        Path demo = RepoScripts.repoRoot().resolve("bin/demo");

        CliResult run = RepoScripts.run(List.of(demo.toString()), env, Duration.ofMinutes(6), "bin/demo");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String out = run.out();
        assertThat(out).containsPattern("guest: disk-added name=vd[a-z]+ serial=DEMO-DISK-1 size=67108864 ro=0")
                .contains("reads: 'hello from the h'")
                .contains("guest: disk-write name=").contains("result=allowed")
                .containsPattern("guest: disk-removed name=vd[a-z]+ serial=DEMO-DISK-1")
                .contains("done: everything the demo started is stopped and removed.");
        if (virtiofs) {
            assertThat(out).contains("guest: fs-read tag=demo hello=hello from the host's share")
                    .contains("shares/demo/from-guest.txt = 'written by the guest through demo'")
                    .contains("guest: fs-removed tag=demo");
        }
        assertThat(out.indexOf("disk-removed")).isGreaterThan(out.indexOf("disk-added"));
        assertThat(run.err()).doesNotContain("Exception");

        Matcher tmp = Pattern.compile("(/tmp/form-demo\\.[A-Za-z0-9]+)/").matcher(out);
        assertThat(tmp.find()).as("the demo names its temp directory").isTrue();
        assertThat(Path.of(tmp.group(1))).as("temp directory removed").doesNotExist();
        assertThat(ProcessHandle.allProcesses().map(E2eHost::cmdline).filter(c -> c.contains(tmp.group(1))).toList())
                .as("no process of the demo is left").isEmpty();
    }
}
