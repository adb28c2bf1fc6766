package dev.form.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** form vmm serve refuses bad settings before it starts anything, with the usage exit code. */
class VmmServeCommandTest {
    @TempDir
    Path home;

    private CliRun.Result run(String... args) {
        return new CliRun(home).run(args);
    }

    @Test
    void badListenAddress() {
        CliRun.Result r = run("vmm", "serve", "--data-dir", home.resolve("d").toString(), "--listen", "nonsense");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("--listen").contains("HOST:PORT");
        CliRun.Result port = run("vmm", "serve", "--data-dir", home.resolve("d").toString(), "--listen", "127.0.0.1:99999");
        assertThat(port.exitCode()).isEqualTo(2);
        assertThat(port.err()).contains("0 to 65535");
    }

    @Test
    void badAdminAndHypervisor() {
        CliRun.Result admin = run("vmm", "serve", "--data-dir", home.resolve("d").toString(), "--admin", "0x1234");
        assertThat(admin.exitCode()).isEqualTo(2);
        assertThat(admin.err()).contains("--admin").contains("40 hex digits");
        CliRun.Result hv = run("vmm", "serve", "--data-dir", home.resolve("d").toString(), "--hypervisor", "xen");
        assertThat(hv.exitCode()).isEqualTo(2);
        assertThat(hv.err()).contains("xen").contains("cloud-hypervisor or qemu");
    }

    @Test
    void plainHttpBeyondLoopbackIsRefused() {
        CliRun.Result r = run("vmm", "serve", "--data-dir", home.resolve("d").toString(), "--listen", "0.0.0.0:0");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("TLS").contains("hint: ");
    }

    @Test
    void aMissingConfigFileIsNamed() {
        CliRun.Result r = run("vmm", "serve", "--data-dir", home.resolve("d").toString(), "--config", home.resolve("none.json").toString(),
                "--listen", "127.0.0.1:0");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("none.json");
    }
}
