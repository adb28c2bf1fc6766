package dev.form.bench.service;

import dev.form.hypervisor.VmLaunchSpec;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisorClient;
import dev.form.hypervisor.cloudhypervisor.SpecMapping;
import dev.form.testkit.chsim.CloudHypervisorSimulator;
import dev.form.testkit.chsim.SimulatorOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Cloud Hypervisor simulator in a process of its own, serving many booted VMs at once (one API
 * socket each), as real cloud-hypervisor processes would be separate from the service: the service's
 * CPU, heap and GC are then measured without the simulator's inside them.
 *
 * <p>Why not the simulator's own launcher as the cloud-hypervisor binary: that starts one JVM per VM,
 * and a thousand JVMs do not fit on this machine. The harness boots the VMs here and the service
 * adopts them by their sockets instead.
 *
 * <p>Child side ({@link #main}): {@code --eject-delay-ms N} then groups {@code DIR PREFIX COUNT}; serves
 * {@code DIR/PREFIX-i.sock} for i in [0, COUNT), creates and boots a VM behind each, prints {@code ready},
 * answers each {@code jit} line on its standard input with its JIT compile time in ms, and exits when
 * that input closes.
 */
public final class SimulatorProcess implements AutoCloseable {
    /** PCI segments of every simulated VM: hot-adds are spread over them, so slow ejects never exhaust one. */
    static final int PCI_SEGMENTS = 4;
    private static final byte[] JIT_QUERY = "jit\n".getBytes(StandardCharsets.US_ASCII);

    /** One set of VMs: sockets {@code dir/prefix-i.sock}. */
    public record Group(Path dir, String prefix, int count) {
        public Path socket(int i) {
            return dir.resolve(prefix + "-" + i + ".sock");
        }
    }

    private final Process process;
    private final BufferedReader out;

    private SimulatorProcess(Process process, BufferedReader out) {
        this.process = process;
        this.out = out;
    }

    /** Starts the child and waits (bounded) until every VM is booted. */
    public static SimulatorProcess start(Path logDir, Duration ejectDelay, List<Group> groups) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(JavaCommand.of(List.of("-XX:+UseSerialGC", "-Xss512k"), SimulatorProcess.class));
        cmd.add("--eject-delay-ms");
        cmd.add(Long.toString(ejectDelay.toMillis()));
        for (Group g : groups) {
            cmd.add(g.dir().toString());
            cmd.add(g.prefix());
            cmd.add(Integer.toString(g.count()));
        }
        Files.createDirectories(logDir);
        Path log = logDir.resolve("simulator.log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        SimulatorProcess sim = new SimulatorProcess(p, out);
        String line = out.readLine();
        if (!"ready".equals(line)) {
            sim.close();
            throw new IOException("the simulator process did not start (said '" + line + "'); see " + log + ":\n" + tail(log));
        }
        return sim;
    }

    public long pid() {
        return process.pid();
    }

    /** Milliseconds the child's JIT compilers have spent so far (it answers a {@code jit} line on its input). */
    public synchronized long compileMillis() throws IOException {
        process.getOutputStream().write(JIT_QUERY);
        process.getOutputStream().flush();
        String line = out.readLine();
        if (line == null) throw new IOException("the simulator process has gone (exit status " + (process.isAlive() ? "?" : process.exitValue()) + ")");
        return Long.parseLong(line.trim());
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // it is going anyway
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5 || !args[0].equals("--eject-delay-ms") || (args.length - 2) % 3 != 0) {
            System.err.println("usage: SimulatorProcess --eject-delay-ms N (DIR PREFIX COUNT)...");
            System.exit(2);
        }
        Duration eject = Duration.ofMillis(Long.parseLong(args[1]));
        CloudHypervisorSimulator simulator = CloudHypervisorSimulator.start(SimulatorOptions.defaults().withEjectDelay(eject)
                .withMaxConnections(64));
        for (int a = 2; a < args.length; a += 3) {
            Group g = new Group(Path.of(args[a]), args[a + 1], Integer.parseInt(args[a + 2]));
            Files.createDirectories(g.dir());
            // the simulator checks that the kernel exists; its content does not matter
            Path kernel = g.dir().resolve(g.prefix() + "-vmlinux");
            Files.write(kernel, new byte[]{0x7f, 'E', 'L', 'F'});
            for (int i = 0; i < g.count(); i++) {
                Path socket = g.socket(i);
                simulator.serve(socket);
                VmLaunchSpec spec = new VmLaunchSpec(g.prefix() + i, g.dir(), g.dir().resolve(g.prefix() + "-" + i + ".console"),
                        kernel.toString(), null, "console=ttyS0", 1, 1, 256L << 20, 256L << 20, false, List.of(), List.of(), List.of());
                try (CloudHypervisorClient c = new CloudHypervisorClient(socket)) {
                    c.createVm(SpecMapping.vm(spec, PCI_SEGMENTS, List.of()));
                    c.bootVm();
                }
            }
        }
        System.out.println("ready");
        System.out.flush();
        // runs until the parent closes our standard input (or dies), answering its questions meanwhile
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("jit")) {
                System.out.println(ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
                System.out.flush();
            }
        }
        simulator.close();
        System.exit(0);
    }
}
