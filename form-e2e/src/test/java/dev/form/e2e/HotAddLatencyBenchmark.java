package dev.form.e2e;

import dev.form.core.api.AddDiskRequest;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.Json;
import dev.form.core.auth.RequestSigner;
import dev.form.core.keys.Credentials;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.hypervisor.qemu.QemuCommandLine;
import dev.form.hypervisor.qemu.QemuHypervisor;
import dev.form.hypervisor.qemu.QemuSettings;
import dev.form.testkit.guest.GuestConsole;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On demand, not in CI: how long a hot-added disk takes to reach the guest — from the first byte of the request
 * to the guest's {@code disk-added} console line — through
 * (a) raw QMP blockdev-add + device_add, (b) {@code virsh attach-disk --live}, (c) form's service API called by a
 * warm client (signed HTTP, keep-alive), (d) the form CLI as a process (bin/form). Same guest, same VM shape
 * (q35, pcie-root-ports, 256 MiB shared memfd memory, 1 vCPU, TCG), in the same run, round-robin so that
 * background load falls on all four alike. Each sample's disk is removed (untimed) before the next.
 *
 * <p>Run: {@code mvn -B -Dform.buildDir=target-bench -pl form-e2e -am verify -DskipITs -Dtest=HotAddLatencyBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false -Dform.bench.hotplug=true} (as root; (b) needs Debian's libvirt-daemon-system
 * and libvirt-clients, and the harness runs
 * {@code virtlogd -d; libvirtd -d} when libvirtd is not up). Results: stdout and {@code form-e2e/<buildDir>/hotadd-latency.txt}.
 */
@Tag("qemu")
class HotAddLatencyBenchmark {
    private static final int ROUNDS = Integer.getInteger("form.bench.rounds", 12);
    private static final int WARMUP = 2;
    /** Extra untimed adds through the API before the rounds: the path (c) measures, JIT-compiled like a daemon's. */
    private static final int API_WARMUP = Integer.getInteger("form.bench.apiWarmup", 8);
    private static final Duration SEEN = Duration.ofSeconds(30);
    private static final String VIRSH_URI = "qemu:///system";

    @Test
    void addDiskUntilTheGuestSeesIt() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("form.bench.hotplug"), "on demand only: -Dform.bench.hotplug=true");
        Medians raw = new Medians("(a) raw QMP blockdev-add + device_add");
        Medians virsh = new Medians("(b) virsh attach-disk --live (process)");
        Medians api = new Medians("(c) form service API, warm signed HTTP client");
        Medians cli = new Medians("(d) form CLI as a process (bin/form manage add disk)");
        Medians virshProcess = new Medians("    virsh attach-disk process, start to exit");
        Medians cliProcess = new Medians("    bin/form manage add disk process, start to exit");
        boolean libvirt = libvirtUp();

        try (E2eHost host = E2eHost.start()) {
            Path dir = Files.createDirectories(host.root.resolve("bench"));
            // libvirt runs QEMU as libvirt-qemu: it must reach the kernel, images and console directory.
            for (Path p = dir; p != null && !p.equals(Path.of("/tmp")); p = p.getParent())
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            E2eHost.Guest formVm = host.launch("bench");
            try (RawVm rawVm = RawVm.launch(host, dir.resolve("raw"));
                 LibvirtVm lvVm = libvirt ? LibvirtVm.launch(host, dir.resolve("lv")) : null) {
                Credentials owner = Credentials.fromPrivateKeyHex(E2eHost.OWNER_KEY);
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                warmUp(host, formVm, owner, http);
                for (int round = 0; round < WARMUP + ROUNDS; round++) {
                    boolean counted = round >= WARMUP;
                    String n = Integer.toString(round);

                    Path img = host.image("a" + n + ".raw", 1L << 20, new byte[16]);
                    long t = System.nanoTime();
                    rawVm.add(img, "BA" + n);
                    rawVm.console.awaitEvent("disk-added", SEEN, "serial", "BA" + n);
                    if (counted) raw.add(System.nanoTime() - t);
                    rawVm.remove("BA" + n);

                    if (lvVm != null) {
                        Path lvImg = lvVm.image("b" + n + ".raw");
                        long t0 = System.nanoTime();
                        Process p = lvVm.attach(lvImg, "BB" + n);
                        CompletableFuture<Long> exited = p.onExit().thenApply(x -> System.nanoTime());
                        lvVm.console.awaitEvent("disk-added", SEEN, "serial", "BB" + n);
                        long seen = System.nanoTime() - t0;
                        assertThat(p.waitFor()).as("virsh attach-disk exit code").isZero();
                        if (counted) {
                            virsh.add(seen);
                            virshProcess.add(exited.join() - t0);
                        }
                        lvVm.detach("BB" + n);
                    }

                    long apiSample = apiAddAndRemove(host, formVm, owner, http, "c" + n, "BC" + n);
                    if (counted) api.add(apiSample);

                    host.image("d" + n + ".raw", 1L << 20, new byte[16]);
                    long t2 = System.nanoTime();
                    Process form = binForm(host, "manage", "add", "disk", "-n", formVm.name(), "--path", "d" + n + ".raw",
                            "--disk-id", "d" + n, "--serial", "BD" + n);
                    CompletableFuture<Long> formExited = form.onExit().thenApply(x -> System.nanoTime());
                    formVm.console().awaitEvent("disk-added", SEEN, "serial", "BD" + n);
                    long seen = System.nanoTime() - t2;
                    assertThat(form.waitFor()).as("bin/form exit code").isZero();
                    if (counted) {
                        cli.add(seen);
                        cliProcess.add(formExited.join() - t2);
                    }
                    formVm.console().awaitEvent("disk-write", SEEN, "serial", "BD" + n);
                    host.form("manage", "remove", "-n", formVm.name(), "d" + n, "--wait").ok();
                    formVm.console().awaitEvent("disk-removed", SEEN, "serial", "BD" + n);
                }
            }
        }
        StringBuilder out = new StringBuilder(String.format("add disk → guest reports it (ms)%n%-58s %8s %8s %8s %4s%n",
                "", "median", "min", "max", "n"));
        for (Medians m : List.of(raw, virsh, virshProcess, api, cli, cliProcess))
            if (!m.samples.isEmpty()) out.append(m.row()).append('\n');
        out.append(String.format("(c)/(a) = %.2f (target ≤ 1.10)%n", api.median() / raw.median()));
        if (!virsh.samples.isEmpty()) out.append(String.format("(d)/(b) = %.2f (target ≤ 1.30)%n", cli.median() / virsh.median()));
        else out.append("(b) not measured: libvirtd is not available (apt-get install libvirt-daemon-system libvirt-clients)\n");
        System.out.print(out);
        Path report = Path.of(System.getProperty("form.bench.report", "hotadd-latency.txt"));
        Files.writeString(report, out);
        assertThat(raw.samples).hasSize(ROUNDS);
        assertThat(api.samples).hasSize(ROUNDS);
        assertThat(cli.samples).hasSize(ROUNDS);
    }

    /**
     * (c) stands for a client and a service that have been running for a while: both are warmed up
     * (signing, signed reads, and untimed adds on this path) so that the rounds do not time the JIT.
     */
    private static void warmUp(E2eHost host, E2eHost.Guest vm, Credentials owner, HttpClient http) throws Exception {
        String read = ApiPaths.instance(vm.name());
        for (int i = 0; i < 3_000; i++) RequestSigner.sign(owner, "GET", read, new byte[0], Duration.ofMinutes(1));
        for (int i = 0; i < 500; i++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(host.service.url() + read)).GET();
            RequestSigner.sign(owner, "GET", read, new byte[0], Duration.ofMinutes(1)).asMap().forEach(req::header);
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        for (int i = 0; i < API_WARMUP; i++) apiAddAndRemove(host, vm, owner, http, "w" + i, "BW" + i);
    }

    /** One (c) sample: a signed add through the API until the guest reports the disk; then it is removed, untimed. */
    private static long apiAddAndRemove(E2eHost host, E2eHost.Guest vm, Credentials owner, HttpClient http, String id, String serial)
            throws Exception {
        host.image(id + ".raw", 1L << 20, new byte[16]);
        byte[] body = Json.mapper().writeValueAsBytes(new AddDiskRequest(id, id + ".raw", null, null, null,
                null, serial, null, null, null, null));
        String target = ApiPaths.resources(vm.name(), "disks");
        long t = System.nanoTime();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(host.service.url() + target))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        RequestSigner.sign(owner, "POST", target, body, Duration.ofMinutes(1)).asMap().forEach(req::header);
        HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        vm.console().awaitEvent("disk-added", SEEN, "serial", serial);
        long elapsed = System.nanoTime() - t;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        vm.console().awaitEvent("disk-write", SEEN, "serial", serial);
        host.form("manage", "remove", "-n", vm.name(), id, "--wait").ok();
        vm.console().awaitEvent("disk-removed", SEEN, "serial", serial);
        return elapsed;
    }

    private static Process binForm(E2eHost host, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(RepoScripts.repoRoot().resolve("bin/form").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("FORM"));
        pb.environment().putAll(host.env());
        pb.environment().putAll(Map.of("FORM_BUILD_DIR", RepoScripts.buildDir(), "FORM_NO_BUILD", "1"));
        return pb.start();
    }

    /** True when libvirtd answers, starting virtlogd and libvirtd (without systemd) if needed. */
    private static boolean libvirtUp() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/virsh")) || !Files.isExecutable(Path.of("/usr/sbin/libvirtd"))) return false;
        if (run("virsh", "-c", VIRSH_URI, "version") == 0) return true;
        run("virtlogd", "-d");
        run("libvirtd", "-d");
        for (int i = 0; i < 50; i++) {
            if (run("virsh", "-c", VIRSH_URI, "version") == 0) return true;
            Thread.sleep(200);
        }
        return false;
    }

    static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    /** (a): QEMU started with the very argv form's driver builds, spoken to over raw QMP. */
    static final class RawVm implements AutoCloseable {
        final Process process;
        final RawQmp qmp;
        final GuestConsole console;

        private RawVm(Process process, RawQmp qmp, GuestConsole console) {
            this.process = process;
            this.qmp = qmp;
            this.console = console;
        }

        static RawVm launch(E2eHost host, Path dir) throws Exception {
            Path run = Files.createDirectories(dir);
            Path log = run.resolve("console.log");
            VmLaunchSpec spec = new VmLaunchSpec("bench-raw", run, log, host.guest.kernel().toString(), host.guest.initramfs().toString(),
                    host.guest.cmdline(), 1, 1, 256L << 20, 256L << 20, true, List.of(), List.of(), List.of());
            List<String> argv = QemuCommandLine.build(QemuHypervisor.findBinary().toString(), false, spec, QemuSettings.defaults());
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(run.resolve("qemu.log").toFile()).start();
            GuestConsole console = GuestConsole.fromStart(log);
            Path sock = run.resolve(QemuCommandLine.QMP_SOCKET);
            for (int i = 0; i < 200 && !Files.exists(sock); i++) Thread.sleep(50);
            RawQmp qmp = RawQmp.connect(sock);
            console.awaitEvent("ready", E2eHost.BOOT);
            return new RawVm(p, qmp, console);
        }

        void add(Path image, String serial) throws IOException {
            var file = RawQmp.args().put("driver", "file").put("filename", image.toString());
            var node = RawQmp.args().put("driver", "raw").put("node-name", "n" + serial);
            node.set("file", file);
            qmp.execute("blockdev-add", node);
            qmp.execute("device_add", RawQmp.args().put("driver", "virtio-blk-pci").put("id", "d" + serial)
                    .put("drive", "n" + serial).put("bus", QemuCommandLine.PORT_PREFIX + "1").put("serial", serial));
        }

        void remove(String serial) throws Exception {
            // Never pull a disk while the guest still probes it (it writes its first sector back): an I/O cut off
            // mid-way stalls the guest's next hot-plug by seconds.
            console.awaitEvent("disk-write", SEEN, "serial", serial);
            qmp.execute("device_del", RawQmp.args().put("id", "d" + serial));
            console.awaitEvent("disk-removed", SEEN, "serial", serial);
            // The node can go once QEMU has finished the unplug: until then blockdev-del says it is in use.
            for (int i = 0; ; i++) {
                try {
                    qmp.execute("blockdev-del", RawQmp.args().put("node-name", "n" + serial));
                    return;
                } catch (IOException inUse) {
                    if (i > 500) throw inUse;
                    Thread.sleep(20);
                }
            }
        }

        @Override
        public void close() throws IOException {
            qmp.close();
            process.destroy();
            process.onExit().join();
        }
    }

    /** (b): a transient libvirt domain of the same shape, driven by the virsh command as an operator would. */
    static final class LibvirtVm implements AutoCloseable {
        private static final String NAME = "form-bench-hotadd";
        final Path dir;
        final GuestConsole console;
        private int disks;

        private LibvirtVm(Path dir, GuestConsole console) {
            this.dir = dir;
            this.console = console;
        }

        static LibvirtVm launch(E2eHost host, Path dir) throws Exception {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path kernel = Files.copy(host.guest.kernel(), dir.resolve("vmlinuz"));
            Path initrd = Files.copy(host.guest.initramfs(), dir.resolve("initramfs.cpio.gz"));
            Path log = dir.resolve("console.log");
            StringBuilder ports = new StringBuilder();
            for (int i = 0; i < 4; i++) ports.append("    <controller type='pci' model='pcie-root-port'/>\n");
            String xml = """
                    <domain type='qemu'>
                      <name>%s</name>
                      <memory unit='MiB'>256</memory>
                      <vcpu>1</vcpu>
                      <os><type arch='x86_64' machine='q35'>hvm</type>
                        <kernel>%s</kernel><initrd>%s</initrd><cmdline>%s</cmdline></os>
                      <features><acpi/></features>
                      <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
                      <on_reboot>destroy</on_reboot>
                      <devices>
                        <emulator>%s</emulator>
                        <controller type='pci' model='pcie-root'/>
                    %s    <controller type='usb' model='none'/>
                        <memballoon model='none'/>
                        <serial type='file'><source path='%s'/><target port='0'/></serial>
                      </devices>
                    </domain>
                    """.formatted(NAME, kernel, initrd, host.guest.cmdline(), QemuHypervisor.findBinary(), ports, log);
            Path xmlFile = Files.writeString(dir.resolve("domain.xml"), xml);
            run("virsh", "-c", VIRSH_URI, "destroy", NAME);
            if (run("virsh", "-c", VIRSH_URI, "create", xmlFile.toString()) != 0)
                throw new IllegalStateException("virsh create failed for " + xmlFile);
            GuestConsole console = GuestConsole.fromStart(log);
            console.awaitEvent("ready", E2eHost.BOOT);
            return new LibvirtVm(dir, console);
        }

        Path image(String name) throws IOException {
            Path p = dir.resolve(name);
            try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[1]), (1L << 20) - 1);
            }
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
            return p;
        }

        private String target(String serial) {
            return "vd" + (char) ('b' + (Math.abs(serial.hashCode()) % 20));
        }

        Process attach(Path image, String serial) throws IOException {
            disks++;
            return new ProcessBuilder("virsh", "-c", VIRSH_URI, "attach-disk", NAME, image.toString(), target(serial), "--targetbus", "virtio",
                    "--live", "--serial", serial, "--driver", "qemu", "--subdriver", "raw")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }

        void detach(String serial) throws Exception {
            console.awaitEvent("disk-write", SEEN, "serial", serial);
            assertThat(run("virsh", "-c", VIRSH_URI, "detach-disk", NAME, target(serial), "--live")).as("virsh detach-disk").isZero();
            console.awaitEvent("disk-removed", SEEN, "serial", serial);
            // libvirt finishes its own bookkeeping after the guest lets go: wait until the target is free again.
            for (int i = 0; i < 250; i++) {
                Process p = new ProcessBuilder("virsh", "-c", VIRSH_URI, "domblklist", NAME).redirectErrorStream(true).start();
                String list = new String(p.getInputStream().readAllBytes());
                p.waitFor();
                if (!list.contains(target(serial) + " ")) return;
                Thread.sleep(20);
            }
            throw new AssertionError("libvirt still lists " + target(serial));
        }

        @Override
        public void close() throws IOException {
            new ProcessBuilder("virsh", "-c", VIRSH_URI, "destroy", NAME).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().onExit().join();
        }
    }
}
