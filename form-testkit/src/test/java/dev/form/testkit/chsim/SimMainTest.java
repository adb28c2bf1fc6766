package dev.form.testkit.chsim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The simulator as the {@code cloud-hypervisor} executable: a real child process started through the launcher script. */
class SimMainTest {
    @TempDir
    Path dir;

    private Process launch(Path launcher, List<String> args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
    }

    /**
     * Until the API socket accepts a connection (or the process died): the socket file appears at bind,
     * a moment before listen, and a connect in between is refused.
     */
    private static void awaitListening(Path socket, Process p) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !p.isAlive() || accepts(socket));
    }

    private static boolean accepts(Path socket) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void bootsFromCommandLineOptionsAndExitsOnVmmShutdown() throws Exception {
        SimFixture fx = new SimFixture(dir);
        Path launcher = CloudHypervisorSimulatorMain.writeLauncher(dir.resolve("bin"));
        assertThat(Files.isExecutable(launcher)).isTrue();
        Path socket = dir.resolve("ch.sock");
        Path serial = dir.resolve("console.log");
        Path disk = fx.rawImage("root.raw");
        Process p = launch(launcher, List.of("--api-socket", "path=" + socket, "--sim-version", "53", "--log-file", dir.resolve("ch.log").toString(),
                "-v", "--kernel", fx.kernel.toString(), "--cmdline", "console=ttyS0 root=/dev/vda", "--cpus", "boot=2",
                "--memory", "size=1G,shared=on", "--disk", "path=" + disk + ",image_type=raw", "--serial", "file=" + serial, "--console", "off"));
        try {
            awaitListening(socket, p);
            assertThat(p.isAlive()).as(Files.exists(dir.resolve("out.log")) ? Files.readString(dir.resolve("out.log")) : "").isTrue();
            RawClient.Response ping = RawClient.once(socket, RawClient.get("vmm.ping"));
            assertThat(ping.body()).contains("\"version\":\"53.0.0\"", "\"pid\":" + p.pid());
            // as with Cloud Hypervisor, the API answers while the VM of the command line is still being
            // created and booted ("VM is not created"): wait for it to run
            await().atMost(Duration.ofSeconds(30)).until(() -> RawClient.once(socket, RawClient.get("vm.info")).body().contains("\"state\":\"Running\""));
            RawClient.Response info = RawClient.once(socket, RawClient.get("vm.info"));
            assertThat(info.body()).contains("\"state\":\"Running\"", "\"boot_vcpus\":2", "\"shared\":true", "\"id\":\"_disk0\"",
                    "\"image_type\":\"Raw\"", "\"cmdline\":\"console=ttyS0 root=/dev/vda\"");
            assertThat(Files.readString(serial)).contains("Linux version");
            assertThat(RawClient.once(socket, RawClient.put("vmm.shutdown")).status()).isEqualTo(200);
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(Files.exists(socket)).isFalse();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void bareSocketPathWithoutVmOptionsServesAnEmptyVmmUntilTheGuestPowersOff() throws Exception {
        SimFixture fx = new SimFixture(dir);
        Path launcher = CloudHypervisorSimulatorMain.writeLauncher(dir.resolve("bin"));
        Path socket = dir.resolve("bare.sock");
        Process p = launch(launcher, List.of("--api-socket", socket.toString(), "--sim-eject-delay-ms", "20"));
        try {
            awaitListening(socket, p);
            assertThat(RawClient.once(socket, RawClient.get("vm.info")).status()).isEqualTo(404);
            try (RawClient c = RawClient.connect(socket)) {
                assertThat(c.exchange(RawClient.put("vm.create", fx.vmConfig())).status()).isEqualTo(204);
                assertThat(c.exchange(RawClient.put("vm.boot")).status()).isEqualTo(204);
                assertThat(c.exchange(RawClient.put("vm.power-button")).status()).isEqualTo(204);
            }
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(Files.exists(socket)).isFalse();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void launcherWithBakedSimulatorOptions() throws Exception {
        Path launcher = CloudHypervisorSimulatorMain.writeLauncher(dir.resolve("bin52"), List.of("--sim-version", "52", "--sim-vhost-wait-ms", "300"));
        Path socket = dir.resolve("v52.sock");
        Process p = launch(launcher, List.of("--api-socket", "path=" + socket));
        try {
            awaitListening(socket, p);
            assertThat(RawClient.once(socket, RawClient.get("vmm.ping")).body()).contains("\"version\":\"52.0.0\"");
            // v52: a missing VM is a 500.
            assertThat(RawClient.once(socket, RawClient.get("vm.info")).status()).isEqualTo(500);
            p.destroy();
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(socket));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void refusesUnknownOptionsAndBadVmOptions() throws Exception {
        Path launcher = CloudHypervisorSimulatorMain.writeLauncher(dir.resolve("bin"));
        Process unknown = launch(launcher, List.of("--api-socket", dir.resolve("x.sock").toString(), "--frobnicate"));
        assertThat(unknown.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(unknown.exitValue()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("out.log"))).contains("unexpected argument '--frobnicate'");
        Process noKernel = launch(launcher, List.of("--api-socket", dir.resolve("y.sock").toString(), "--kernel", dir.resolve("none").toString()));
        assertThat(noKernel.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(noKernel.exitValue()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("out.log"))).contains("Cannot open kernel file");
        assertThat(Files.exists(dir.resolve("y.sock"))).isFalse();
    }
}
