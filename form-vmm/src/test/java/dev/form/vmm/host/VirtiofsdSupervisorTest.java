package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.testkit.Prerequisites;
import dev.form.vmm.ApiProblem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs the real C virtiofsd (Debian's /usr/lib/qemu/virtiofsd, which needs root). */
class VirtiofsdSupervisorTest {

    private static final Path VIRTIOFSD = Path.of("/usr/lib/qemu/virtiofsd");

    @TempDir
    Path data;

    private HostPolicy policy;
    private VirtiofsdSupervisor supervisor;
    private final List<Long> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Prerequisites.require(Files.isExecutable(VIRTIOFSD), "virtiofsd at " + VIRTIOFSD + " (package qemu-system-common)");
        Prerequisites.require("root".equals(System.getProperty("user.name")), "root (the C virtiofsd needs it)");
        policy = HostPolicy.defaults(data);
        Files.createDirectories(data.resolve("shares/one"));
        Files.writeString(data.resolve("shares/one/hello.txt"), "hello");
        supervisor = new VirtiofsdSupervisor(policy, VirtiofsdSupervisor.Settings.defaults()
                .withStartTimeout(Duration.ofSeconds(10)).withStopTimeout(Duration.ofSeconds(3)));
    }

    @AfterEach
    void killLeftovers() {
        for (long pid : started) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private VirtiofsdHandle start(String name, String source) {
        VirtiofsdHandle h = supervisor.start(name, source);
        started.add(h.pid());
        return h;
    }

    @Test
    void startCreatesPrivateSocketAndPidFileThenStopRemovesThem() throws Exception {
        VirtiofsdHandle h = start("vm1-fs1", "one");

        assertThat(h.socket()).isEqualTo(policy.managedSocketDir().resolve("vm1-fs1.sock"));
        assertThat(FileKind.of(h.socket())).isEqualTo(FileKind.SOCKET);
        assertThat(Files.getPosixFilePermissions(h.socket())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(policy.managedSocketDir()))
                .doesNotContain(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(Files.readAllLines(h.pidFile())).containsExactly(Long.toString(h.pid()), "vm1-fs1");
        assertThat(h.source()).isEqualTo(data.resolve("shares/one").toRealPath());
        List<String> argv = VirtiofsdSupervisor.cmdline(h.pid()).orElseThrow();
        assertThat(argv).containsExactly(VIRTIOFSD.toString(), "--socket-path=" + h.socket(), "-o",
                "source=" + h.source(), "-o", "cache=none", "-o", "sandbox=chroot");
        // detached: the daemon leads its own session, so the service's terminal or process group never signals it
        String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertThat(fields[3]).as("session id").isEqualTo(Long.toString(h.pid()));
        assertThat(supervisor.isAlive(h)).isTrue();
        // nothing of the service's environment reaches the daemon
        String environ = Files.readString(Path.of("/proc", Long.toString(h.pid()), "environ"));
        assertThat(environ.split("\0")).containsExactlyInAnyOrder("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C");
        assertThat(h.logFile()).isEqualTo(data.resolve("logs/virtiofsd-vm1-fs1.log"));
        assertThat(Files.getPosixFilePermissions(h.logFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        boolean killed = supervisor.stop(h);

        assertThat(killed).as("SIGTERM sufficed").isFalse();
        assertThat(supervisor.isAlive(h)).isFalse();
        // stop returns once the daemon is gone (a zombie at most); the JVM's reaper then collects its own child
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2))
                .until(() -> ProcessHandle.of(h.pid()).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
        assertThat(h.socket()).doesNotExist();
        assertThat(h.pidFile()).doesNotExist();
    }

    @Test
    void newSupervisorAdoptsRunningDaemonByPidAndByName() {
        VirtiofsdHandle h = start("vm2-fs1", "one");

        VirtiofsdSupervisor restarted = new VirtiofsdSupervisor(policy, VirtiofsdSupervisor.Settings.defaults());
        VirtiofsdHandle byPid = restarted.adopt(h.pid(), h.socket());
        VirtiofsdHandle byName = restarted.adopt("vm2-fs1");

        assertThat(byPid).isEqualTo(h);
        assertThat(byName).isEqualTo(h);
        assertThat(restarted.isAlive(byPid)).isTrue();
        restarted.stop(byPid);
        assertThat(supervisor.isAlive(h)).isFalse();
    }

    @Test
    void adoptAllTakesOverTheLivingAndClearsTheDead() throws Exception {
        VirtiofsdHandle alive = start("vm8-fs1", "one");
        VirtiofsdHandle dead = start("vm8-fs2", "one");
        ProcessHandle.of(dead.pid()).orElseThrow().destroyForcibly();
        supervisor.onExit(dead).get(5, TimeUnit.SECONDS);

        List<VirtiofsdHandle> adopted = new VirtiofsdSupervisor(policy, VirtiofsdSupervisor.Settings.defaults()).adoptAll();

        assertThat(adopted).containsExactly(alive);
        assertThat(dead.socket()).doesNotExist();
        assertThat(dead.pidFile()).doesNotExist();
        assertThat(alive.socket()).exists();
    }

    @Test
    void longNamesInLongDataDirectoriesGetShortenedSocketsThatStillFit() throws IOException {
        Path deep = Files.createDirectories(data.resolve("a-longer-data-dir"));
        HostPolicy deepPolicy = HostPolicy.defaults(deep);
        Files.createDirectories(deep.resolve("shares/one"));
        VirtiofsdSupervisor deepSupervisor = new VirtiofsdSupervisor(deepPolicy, VirtiofsdSupervisor.Settings.defaults());
        String name = "i_0123456789abcdef0123-a-long-share-id-of-31-chars";

        VirtiofsdHandle h = deepSupervisor.start(name, "one");
        started.add(h.pid());

        assertThat(h.socket().toString().length()).isLessThanOrEqualTo(HostPolicy.MAX_SOCKET_PATH_BYTES);
        assertThat(h.socket().getFileName().toString()).startsWith("i_0123").endsWith(".sock").isNotEqualTo(name + ".sock");
        assertThat(h.socket()).isEqualTo(deepSupervisor.socketOf(name));
        VirtiofsdSupervisor restarted = new VirtiofsdSupervisor(deepPolicy, VirtiofsdSupervisor.Settings.defaults());
        assertThat(restarted.adopt(name)).isEqualTo(h);
        assertThat(restarted.adoptAll()).containsExactly(h);
        restarted.stop(h);
        assertThat(h.socket()).doesNotExist();
    }

    @Test
    void adoptRefusesDeadPidsAndOtherPrograms() throws Exception {
        VirtiofsdHandle h = start("vm3-fs1", "one");
        long self = ProcessHandle.current().pid();

        assertThatThrownBy(() -> supervisor.adopt(self, h.socket()))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("is not the virtiofsd for");
        assertThatThrownBy(() -> supervisor.adopt(h.pid(), policy.managedSocketDir().resolve("other.sock")))
                .isInstanceOf(ApiProblem.class).hasMessageContaining("is not the virtiofsd for");
        supervisor.stop(h);
        assertThatThrownBy(() -> supervisor.adopt(h.pid(), h.socket()))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> supervisor.adopt("vm3-fs1")).isInstanceOf(ApiProblem.class)
                .hasMessageContaining("no virtiofsd named vm3-fs1");
    }

    @Test
    void daemonExitIsDetected() throws Exception {
        VirtiofsdHandle h = start("vm4-fs1", "one");
        var exited = supervisor.onExit(h);
        assertThat(exited).isNotDone();

        ProcessHandle.of(h.pid()).orElseThrow().destroyForcibly();

        assertThat(exited.get(5, TimeUnit.SECONDS)).isEqualTo(h);
        assertThat(supervisor.isAlive(h)).isFalse();
        assertThat(supervisor.stop(h)).as("nothing left to kill").isFalse();
        assertThat(h.socket()).doesNotExist();
    }

    /**
     * The started daemon really serves vhost-user on its socket: one GET_FEATURES round trip (what a hypervisor sends
     * first). The C virtiofsd serves that one connection only and exits when it closes, which onExit notices.
     */
    @Test
    void startedDaemonAnswersVhostUserAndExitsWhenItsConnectionEnds() throws Exception {
        VirtiofsdHandle h = start("vm7-fs1", "one");
        var exited = supervisor.onExit(h);
        long features;
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(h.socket()))) {
            ByteBuffer request = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            request.putInt(1).putInt(0x1).putInt(0).flip(); // VHOST_USER_GET_FEATURES, version 1, no payload
            while (request.hasRemaining()) ch.write(request);
            ByteBuffer reply = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            while (reply.hasRemaining() && ch.read(reply) >= 0) {
                // a reply is 12 header bytes and a u64
            }
            reply.flip();
            assertThat(reply.getInt()).as("request echoed").isEqualTo(1);
            assertThat(reply.getInt() & 0x4).as("reply flag").isEqualTo(0x4);
            assertThat(reply.getInt()).as("payload size").isEqualTo(8);
            features = reply.getLong();
        }
        assertThat(features & (1L << 30)).as("VHOST_USER_F_PROTOCOL_FEATURES").isNotZero();
        assertThat(features & (1L << 32)).as("VIRTIO_F_VERSION_1").isNotZero();
        assertThat(exited.get(5, TimeUnit.SECONDS)).isEqualTo(h);
        assertThat(supervisor.stop(h)).isFalse();
    }

    @Test
    void secondStartOfARunningNameIsAConflict() {
        VirtiofsdHandle h = start("vm5-fs1", "one");
        assertThatThrownBy(() -> start("vm5-fs1", "one"))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining("still running");
        assertThat(supervisor.isAlive(h)).isTrue();
    }

    @Test
    void staleSocketOfADeadDaemonIsReplaced() throws Exception {
        VirtiofsdHandle first = start("vm6-fs1", "one");
        ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
        supervisor.onExit(first).get(5, TimeUnit.SECONDS);
        assertThat(first.socket()).exists();

        VirtiofsdHandle second = start("vm6-fs1", "one");

        assertThat(second.pid()).isNotEqualTo(first.pid());
        assertThat(supervisor.isAlive(second)).isTrue();
    }

    @Test
    void badSourceDirectoryNamesSource() throws IOException {
        Files.writeString(data.resolve("shares/file.txt"), "x");
        Files.createDirectories(data.resolve("shares/a,b"));

        assertThatThrownBy(() -> start("x1", "missing")).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo("source");
            assertThat(p.code()).isEqualTo(ErrorCode.INVALID_INPUT);
            assertThat(p.getMessage()).contains("does not exist");
        });
        assertThatThrownBy(() -> start("x2", "file.txt")).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo("source");
            assertThat(p.getMessage()).contains("not a directory");
        });
        assertThatThrownBy(() -> start("x3", "/etc")).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo("source");
            assertThat(p.code()).isEqualTo(ErrorCode.POLICY_DENIED);
        });
        assertThatThrownBy(() -> start("x4", "a,b")).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo("source");
            assertThat(p.getMessage()).contains("-o option parser");
        });
        assertThat(policy.managedSocketDir().resolve("x1.sock")).doesNotExist();
    }

    @Test
    void daemonThatDiesAtStartIsReportedWithItsLogTail() throws Exception {
        Path fake = data.resolve("fake-virtiofsd");
        Files.writeString(fake, "#!/bin/sh\necho \"fake virtiofsd: cannot share $3\" >&2\nexit 3\n");
        fake.toFile().setExecutable(true);
        VirtiofsdSupervisor failing = new VirtiofsdSupervisor(policy, VirtiofsdSupervisor.Settings.defaults().withBinary(fake));
        Path source = data.resolve("shares/one").toRealPath();

        assertThatThrownBy(() -> failing.start("dies", "one")).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo("source");
            assertThat(p.code()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(p.getMessage()).contains("exited with status 3")
                    .contains("fake virtiofsd: cannot share source=" + source);
        });
    }

    @Test
    void daemonThatNeverCreatesItsSocketTimesOutAndIsKilled() throws Exception {
        Path fake = data.resolve("slow-virtiofsd");
        Path pidOut = data.resolve("slow.pid");
        Files.writeString(fake, "#!/bin/sh\necho $$ > " + pidOut + "\necho 'slow virtiofsd: waiting forever'\nexec sleep 60\n");
        fake.toFile().setExecutable(true);
        VirtiofsdSupervisor slow = new VirtiofsdSupervisor(policy, VirtiofsdSupervisor.Settings.defaults().withBinary(fake)
                .withStartTimeout(Duration.ofMillis(700)).withStopTimeout(Duration.ofSeconds(2)));

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> slow.start("slow", "one")).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo("source");
            assertThat(p.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(p.getMessage()).contains("within 700 ms").contains("slow virtiofsd: waiting forever");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        long pid = Long.parseLong(Files.readString(pidOut).strip());
        started.add(pid);
        // the fake is "sleep" after exec: killed because the supervisor started it, whatever it now calls itself
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2))
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
        assertThat(policy.managedSocketDir().resolve("slow.pid")).doesNotExist();
    }

    @Test
    void missingBinaryIsAClearServiceError() {
        VirtiofsdSupervisor broken = new VirtiofsdSupervisor(policy,
                VirtiofsdSupervisor.Settings.defaults().withBinary(data.resolve("no-such-virtiofsd")));
        assertThatThrownBy(() -> broken.start("nobin", "one")).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo("source");
            assertThat(p.code()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(p.getMessage()).contains("is not an executable file");
        });
    }
}
