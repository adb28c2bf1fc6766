package dev.form.hypervisor.qemu.qmp;

import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.qemu.QemuHypervisor;
import dev.form.testkit.Prerequisites;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The QMP client against a real QEMU that is frozen or killed while a command waits for its reply. */
@Tag("qemu")
class QmpClientAgainstQemuTest {

    private Path dir;
    private Process qemu;

    @BeforeEach
    void startQemu() throws Exception {
        Path binary = QemuHypervisor.findBinary();
        Prerequisites.require(binary != null, "qemu-system-x86_64 on PATH (apt-get install qemu-system-x86)");
        dir = Files.createTempDirectory("qmp-qemu");
        Path sock = dir.resolve("qmp.sock");
        // A machine without guest: QMP answers at once and costs almost nothing.
        qemu = new ProcessBuilder(binary.toString(), "-machine", "none", "-nodefaults", "-display", "none",
                "-qmp", "unix:" + sock + ",server=on,wait=off")
                .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(sock)) {
            assertThat(qemu.isAlive()).as("qemu started: " + readLog()).isTrue();
            assertThat(System.nanoTime()).as("QMP socket within 20 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @AfterEach
    void stopQemu() throws IOException, InterruptedException {
        if (qemu != null) {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    void talksToQemuAndReportsItsOwnErrors() throws Exception {
        try (QmpClient qmp = QmpClient.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(10))) {
            assertThat(qmp.greeting().path("QMP").path("version").path("qemu").path("major").asInt()).isGreaterThanOrEqualTo(7);
            assertThat(qmp.execute("query-version", null, Duration.ofSeconds(5)).path("qemu").path("major").asInt()).isGreaterThanOrEqualTo(7);
            assertThatThrownBy(() -> qmp.execute("no-such-command", null, Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(QmpException.class, e -> {
                        assertThat(e.errorClass()).isEqualTo("CommandNotFound");
                        assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
                    });
        }
    }

    @Test
    void aFrozenQemuTimesOutAndAKilledOneReleasesTheWaitingCall() throws Exception {
        try (QmpClient qmp = QmpClient.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(10))) {
            signal("STOP");
            assertThatThrownBy(() -> qmp.execute("query-status", null, Duration.ofMillis(500)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
            CompletableFuture<HypervisorException> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    qmp.execute("query-status", null, Duration.ofSeconds(60));
                    return null;
                } catch (HypervisorException e) {
                    return e;
                }
            });
            Thread.sleep(200);
            assertThat(waiting).isNotDone();
            long t0 = System.nanoTime();
            qemu.destroyForcibly();
            HypervisorException e = waiting.get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(e).isNotNull();
            assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
            assertThat(qmp.isOpen()).isFalse();
        }
    }

    @Test
    void aSecondClientWaitingForTheMonitorGivesUpCleanly() throws Exception {
        try (QmpClient first = QmpClient.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(10))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> QmpClient.connect(dir.resolve("qmp.sock"), Duration.ofMillis(500)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            assertThat(first.execute("query-status", null, Duration.ofSeconds(5)).has("status")).isTrue();
        }
    }

    private void signal(String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(qemu.pid())).start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private String readLog() {
        try {
            return Files.readString(dir.resolve("qemu.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
