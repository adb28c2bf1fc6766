package dev.form.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.hypervisor.qemu.QemuHypervisor;
import dev.form.testkit.Prerequisites;
import dev.form.testkit.guest.GuestBuildException;
import dev.form.testkit.guest.GuestConsole;
import dev.form.testkit.guest.GuestImage;
import dev.form.testkit.guest.TestGuest;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One host for a test class: a temp data directory holding the test guest's kernel and initramfs, the form
 * service as a child JVM on QEMU, and the owner's key. Tests drive it through the real CLI and watch what the
 * guest reports on its serial console.
 */
final class E2eHost implements AutoCloseable {
    /** A public test key (the well-known development mnemonic's second account): never a real wallet. */
    static final String OWNER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    static final String OWNER_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    static final Duration BOOT = Duration.ofSeconds(90);
    static final Duration GUEST = Duration.ofSeconds(30);
    static final Path VIRTIOFSD = Path.of("/usr/lib/qemu/virtiofsd");

    final Path root;
    final Path dataDir;
    final Path home;
    final GuestImage guest;
    final ServiceProcess service;

    private E2eHost(Path root, GuestImage guest, ServiceProcess service) {
        this.root = root;
        this.dataDir = root.resolve("vmm");
        this.home = root.resolve("home");
        this.guest = guest;
        this.service = service;
    }

    /** Skips (fails under CI=true) without QEMU or the test guest; otherwise starts the service. */
    static E2eHost start() throws Exception {
        Path qemu = QemuHypervisor.findBinary();
        Prerequisites.require(qemu != null, "qemu-system-x86_64 on PATH (apt-get install qemu-system-x86)");
        GuestImage guest;
        try {
            guest = TestGuest.build();
        } catch (GuestBuildException e) {
            Prerequisites.require(false, "the test guest (apt-get download of the Debian kernel and busybox-static): " + e.getMessage());
            throw e;
        }
        Path root = Files.createTempDirectory("form-e2e-");
        Path data = root.resolve("vmm");
        Path volumes = Files.createDirectories(data.resolve("volumes"));
        Files.createDirectories(data.resolve("shares"));
        Files.createDirectories(root.resolve("home"));
        Files.copy(guest.kernel(), volumes.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(guest.initramfs(), volumes.resolve("initramfs.cpio.gz"), StandardCopyOption.REPLACE_EXISTING);
        Path tcg = tcgOnly(qemu, root.resolve("qemu-tcg"));
        ServiceProcess service = ServiceProcess.start(data, freePort(), OWNER_ADDRESS, tcg, root.resolve("service.log"));
        return new E2eHost(root, guest, service);
    }

    /**
     * A qemu-system wrapper that always emulates (TCG): every boot and hot-plug then takes the same path and
     * time whether or not the machine offers KVM (some expose a /dev/kvm that cannot run a vCPU).
     */
    private static Path tcgOnly(Path qemu, Path wrapper) throws IOException {
        Files.writeString(wrapper, """
                #!/bin/sh
                # QEMU with -accel kvm turned into -accel tcg and -cpu host dropped (TCG cannot emulate "host").
                n=$#
                while [ "$n" -gt 0 ]; do
                  a=$1; shift; n=$((n - 1))
                  case "$a" in
                    kvm) set -- "$@" tcg ;;
                    -cpu) shift; n=$((n - 1)) ;;
                    *) set -- "$@" "$a" ;;
                  esac
                done
                exec %s "$@"
                """.formatted(qemu));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return wrapper;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The environment a user of this host's CLI has. */
    Map<String, String> env() {
        return Map.of("FORM_HOST", service.url(), "FORM_PRIVATE_KEY", OWNER_KEY, "HOME", home.toString());
    }

    /** Runs the form command in this JVM. */
    CliResult form(String... args) {
        return new InProcessCli(home, env()).run(args);
    }

    /** Creates and boots a VM of the test guest, told to mount shares with these tags; returns once the guest is ready. */
    Guest launch(String name, String... tags) {
        String cmdline = guest.cmdline(tags);
        JsonNode created = form("manage", "create", "--name", name, "--kernel", "vmlinuz", "--initramfs", "initramfs.cpio.gz",
                "--cmdline", cmdline, "--cpus", "1", "--memory", "256M", "--autostart", "--json").ok().json();
        String id = created.path("id").asText();
        Guest g = new Guest(name, id, GuestConsole.fromStart(dataDir.resolve("consoles").resolve(id + ".log")));
        g.console().awaitEvent("ready", BOOT);
        return g;
    }

    /** A raw disk image of {@code size} bytes under volumes/ that starts with {@code head}. */
    Path image(String name, long size, byte[] head) throws IOException {
        Path p = dataDir.resolve("volumes").resolve(name);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(head));
            ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
        }
        return p;
    }

    /** A directory under shares/ holding hello.txt with this text. */
    Path share(String name, String hello) throws IOException {
        Path dir = Files.createDirectories(dataDir.resolve("shares").resolve(name));
        Files.writeString(dir.resolve("hello.txt"), hello);
        return dir;
    }

    /** Skips (fails on CI) where virtio-fs cannot work: virtiofsd (qemu-system-common) needs root. */
    static void requireVirtiofs() {
        Prerequisites.require(Files.isExecutable(VIRTIOFSD), VIRTIOFSD + " (package qemu-system-common)");
        Prerequisites.require("root".equals(System.getProperty("user.name")), "root: QEMU's virtiofsd needs it");
    }

    /** The QEMU process of an instance, found by its console file on its command line. */
    Optional<ProcessHandle> qemuOf(Guest g) {
        String console = dataDir.resolve("consoles").resolve(g.id() + ".log").toString();
        return processes(cmd -> cmd.contains("qemu-system") && cmd.contains(console)).findFirst();
    }

    /** The virtiofsd processes serving this directory. */
    List<ProcessHandle> virtiofsdFor(Path source) {
        String src = "source=" + source;
        return processes(cmd -> cmd.contains("virtiofsd") && cmd.contains(src)).toList();
    }

    /** True when the process has the file open (its /proc/PID/fd links). */
    static boolean holdsOpen(ProcessHandle p, Path file) throws IOException {
        Path fds = Path.of("/proc", Long.toString(p.pid()), "fd");
        Path target = file.toRealPath();
        try (Stream<Path> s = Files.list(fds)) {
            return s.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }

    private static Stream<ProcessHandle> processes(java.util.function.Predicate<String> commandLine) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(p -> commandLine.test(cmdline(p)));
    }

    /** /proc/PID/cmdline: unlike ProcessHandle.Info it is not cut short for long command lines. */
    static String cmdline(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"))).replace('\0', ' ');
        } catch (IOException | SecurityException gone) {
            return "";
        }
    }

    /** Deletes every instance of this host (their VMs stop), so that idle guests do not compete for the cores. */
    void deleteAll() {
        JsonNode list = form("manage", "list", "--json").ok().json();
        for (JsonNode i : list) form("manage", "delete", "-i", i.path("id").asText()).ok();
    }

    @Override
    public void close() throws IOException {
        try {
            if (service.alive()) deleteAll();
        } catch (RuntimeException | AssertionError e) {
            // best effort: whatever still runs is ended below
        } finally {
            service.close();
            // The service leaves VMs running when it stops, by design: end this host's own.
            String mine = dataDir.toString();
            List<ProcessHandle> left = processes(cmd -> cmd.contains(mine)).toList();
            left.forEach(ProcessHandle::destroy);
            for (ProcessHandle p : left) {
                try {
                    p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    p.destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            keepLogs();
            deleteTree(root);
        }
    }

    /** The service's log and the consoles outlive the host, for a failure's post-mortem. */
    private void keepLogs() throws IOException {
        Path keep = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "form-e2e-logs", root.getFileName().toString()));
        List<Path> logs = new ArrayList<>(List.of(root.resolve("service.log")));
        Path consoles = dataDir.resolve("consoles");
        if (Files.isDirectory(consoles)) try (Stream<Path> s = Files.list(consoles)) {
            s.forEach(logs::add);
        }
        for (Path p : logs) if (Files.isRegularFile(p)) Files.copy(p, keep.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** A VM the test launched: its name, id and console. */
    record Guest(String name, String id, GuestConsole console) {
    }
}
