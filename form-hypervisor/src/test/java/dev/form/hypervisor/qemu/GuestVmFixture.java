package dev.form.hypervisor.qemu;

import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.testkit.Prerequisites;
import dev.form.testkit.guest.GuestBuildException;
import dev.form.testkit.guest.GuestConsole;
import dev.form.testkit.guest.GuestImage;
import dev.form.testkit.guest.TestGuest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One booted test guest for a test class: TCG always (so timings and behaviour do not depend on
 * whether the machine offers KVM), 256 MiB of shared memfd memory (room to grow to
 * 512 MiB), 1 vCPU (up to 2), console in a file.
 */
final class GuestVmFixture implements AutoCloseable {

    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);
    static final List<String> TAGS = List.of("share1", "share2");

    final Path dir;
    final Path consoleLog;
    final String binary;
    final QemuSettings settings;
    final QemuHypervisor hypervisor;
    QemuVm vm;
    GuestConsole console;
    long bootMillis;

    private GuestVmFixture(Path dir, String binary, QemuSettings settings) {
        this.dir = dir;
        this.consoleLog = dir.resolve("console.log");
        this.binary = binary;
        this.settings = settings;
        this.hypervisor = new QemuHypervisor(binary, false, settings);
    }

    /** The qemu binary, or skips (fails on CI) the calling test. */
    static String requireQemu() {
        Path binary = QemuHypervisor.findBinary();
        Prerequisites.require(binary != null, "qemu-system-x86_64 on PATH (apt-get install qemu-system-x86)");
        return binary.toString();
    }

    static GuestImage requireGuest() {
        try {
            return TestGuest.build();
        } catch (GuestBuildException e) {
            Prerequisites.require(false, "the test guest: " + e.getMessage());
            throw e;
        }
    }

    static GuestVmFixture boot(QemuSettings settings, boolean sharedMemory, boolean awaitReady) throws Exception {
        String binary = requireQemu();
        GuestImage guest = requireGuest();
        Path dir = Files.createTempDirectory("form-qemu-");
        GuestVmFixture f = new GuestVmFixture(dir, binary, settings);
        VmLaunchSpec spec = new VmLaunchSpec("test-" + dir.getFileName(), dir.resolve("run"), f.consoleLog,
                guest.kernel().toString(), guest.initramfs().toString(), guest.cmdline(TAGS),
                1, 2, 256L << 20, 512L << 20, sharedMemory, List.of(), List.of(), List.of());
        long t0 = System.nanoTime();
        f.vm = (QemuVm) f.hypervisor.launch(spec);
        f.console = GuestConsole.fromStart(f.consoleLog);
        if (awaitReady) {
            f.console.awaitEvent("ready", BOOT_TIMEOUT);
            f.bootMillis = (System.nanoTime() - t0) / 1_000_000;
        }
        return f;
    }

    /** Writes a disk image of {@code size} bytes whose first bytes are {@code head}. */
    Path image(String name, long size, byte[] head) throws IOException {
        Path p = dir.resolve(name);
        try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(head));
            ch.truncate(size);
            if (ch.size() < size) ch.write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1);
        }
        return p;
    }

    @Override
    public void close() throws IOException {
        if (vm != null) {
            try {
                vm.terminate();
            } catch (HypervisorException e) {
                QemuProcess.stop(vm.endpoint().pid(), Duration.ofSeconds(1));
            }
        }
        keepLogs();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** QEMU's output and the console outlive the VM's directory, for a failure's post-mortem. */
    private void keepLogs() throws IOException {
        Path keep = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "form-qemu-logs", dir.getFileName().toString()));
        for (Path p : List.of(consoleLog, dir.resolve("run").resolve(QemuCommandLine.LOG_FILE))) {
            if (Files.exists(p)) Files.copy(p, keep.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
