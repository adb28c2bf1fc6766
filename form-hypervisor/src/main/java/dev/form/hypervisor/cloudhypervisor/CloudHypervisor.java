package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.Hypervisor;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.hypervisor.cloudhypervisor.model.VmConfig;
import dev.form.hypervisor.cloudhypervisor.model.VmmPingResponse;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Cloud Hypervisor on this host: one {@code cloud-hypervisor} process per VM, started with only an
 * API socket, then given its VM through vm.create and vm.boot (so every option goes through the
 * typed, validated API rather than a command line).
 *
 * <p>The process is started in a session of its own (through {@code setsid} when the host has it)
 * with its output in files of the VM's run directory, so it outlives this JVM and ignores the
 * signals sent to the service's terminal.
 */
public final class CloudHypervisor implements Hypervisor {

    public static final String API_SOCKET = "api.sock";
    public static final String STDOUT_FILE = "cloud-hypervisor.out";
    public static final String STDERR_FILE = "cloud-hypervisor.err";

    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private final Path binary;
    private final LaunchOptions options;

    /** @param binary the {@code cloud-hypervisor} executable, or anything that behaves like it (the simulator's launcher) */
    public CloudHypervisor(Path binary) {
        this(binary, LaunchOptions.DEFAULT);
    }

    public CloudHypervisor(Path binary, LaunchOptions options) {
        this.binary = binary;
        this.options = options;
    }

    @Override
    public HypervisorKind kind() {
        return HypervisorKind.CLOUD_HYPERVISOR;
    }

    @Override
    public RunningVm launch(VmLaunchSpec spec) throws HypervisorException {
        VmConfig config = SpecMapping.vm(spec, options.pciSegments(), options.iommuSegments());
        if (!Files.isExecutable(binary))
            throw new HypervisorException(Kind.UNAVAILABLE, "the Cloud Hypervisor executable " + binary + " does not exist or is not executable");
        Path runDir = spec.runDir().toAbsolutePath();
        Path socket = runDir.resolve(API_SOCKET);
        try {
            Files.createDirectories(runDir);
            Files.createDirectories(spec.consoleLog().toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new HypervisorException(Kind.UNAVAILABLE, "cannot create the run directory " + runDir + ": " + e.getMessage(), e);
        }
        clearStaleSocket(socket);

        Process process = start(runDir, socket);
        CloudHypervisorClient client = new CloudHypervisorClient(socket, options.timeouts(), options.limits());
        long pid = process.pid();
        try {
            VmmPingResponse ping = awaitSocket(process, client, runDir);
            pid = vmmPid(process, ping);
            client.createVm(config);
            client.bootVm();
        } catch (HypervisorException | RuntimeException e) {
            client.close();
            abandon(socket, pid);
            throw e;
        }
        VmEndpoint endpoint = new VmEndpoint(HypervisorKind.CLOUD_HYPERVISOR, socket, pid, spec.consoleLog().toAbsolutePath());
        return new CloudHypervisorVm(endpoint, client, options.exitWait(), VmLimits.of(config));
    }

    @Override
    public RunningVm reattach(VmEndpoint endpoint) throws HypervisorException {
        if (endpoint.kind() != HypervisorKind.CLOUD_HYPERVISOR)
            throw new IllegalArgumentException("not a Cloud Hypervisor endpoint: " + endpoint.kind().wireName());
        CloudHypervisorClient client = new CloudHypervisorClient(endpoint.controlSocket(), options.timeouts(), options.limits());
        try {
            client.ping();
        } catch (HypervisorException e) {
            client.close();
            throw new HypervisorException(Kind.UNAVAILABLE, 0, e.chain(),
                    "no Cloud Hypervisor answers on " + endpoint.controlSocket() + ": " + e.getMessage(), e);
        }
        return new CloudHypervisorVm(endpoint, client, options.exitWait(), null);
    }

    /** A socket file nobody answers on is left over from a VMM that died; one that answers belongs to a live VMM. */
    private void clearStaleSocket(Path socket) throws HypervisorException {
        if (!Files.exists(socket)) return;
        try (CloudHypervisorClient probe = new CloudHypervisorClient(socket, options.timeouts(), options.limits())) {
            probe.ping();
            throw new HypervisorException(Kind.CONFLICT, "a Cloud Hypervisor process already serves " + socket);
        } catch (HypervisorException e) {
            if (e.kind() == Kind.CONFLICT) throw e;
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new HypervisorException(Kind.UNAVAILABLE, "cannot remove the stale socket " + socket + ": " + e.getMessage(), e);
        }
    }

    private Process start(Path runDir, Path socket) throws HypervisorException {
        List<String> command = new ArrayList<>();
        SETSID.stream().filter(Files::isExecutable).findFirst().ifPresent(p -> command.add(p.toString()));
        command.add(binary.toAbsolutePath().toString());
        command.add("--api-socket");
        command.add("path=" + socket);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(runDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(runDir.resolve(STDOUT_FILE).toFile())
                .redirectError(runDir.resolve(STDERR_FILE).toFile());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new HypervisorException(Kind.UNAVAILABLE, "cannot start " + binary + ": " + e.getMessage(), e);
        }
    }

    private VmmPingResponse awaitSocket(Process process, CloudHypervisorClient client, Path runDir) throws HypervisorException {
        long deadline = System.nanoTime() + options.socketWait().toNanos();
        HypervisorException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new HypervisorException(Kind.UNAVAILABLE, 0, List.of(tail(runDir.resolve(STDERR_FILE))),
                        binary + " exited with status " + process.exitValue() + " before its API socket answered: "
                                + tail(runDir.resolve(STDERR_FILE)), null);
            }
            if (Files.exists(client.socket())) {
                try {
                    return client.ping();
                } catch (HypervisorException e) {
                    last = e;
                }
            }
            pause(Duration.ofMillis(20));
        }
        throw new HypervisorException(Kind.TIMEOUT, 0, List.of("no answer on " + client.socket()),
                binary + " did not answer on " + client.socket() + " within " + options.socketWait().toSeconds() + " s", last);
    }

    /** The pid the VMM reports, when it is the started process or one of its descendants (a wrapper script). */
    private static long vmmPid(Process process, VmmPingResponse ping) {
        Long reported = ping.pid();
        if (reported == null || reported == process.pid()) return process.pid();
        boolean ours = process.toHandle().descendants().anyMatch(h -> h.pid() == reported);
        return ours ? reported : process.pid();
    }

    private void abandon(Path socket, long pid) {
        try (CloudHypervisorClient c = new CloudHypervisorClient(socket, options.timeouts().withLifecycle(Duration.ofSeconds(3)), options.limits())) {
            c.shutdownVmm();
        } catch (HypervisorException e) {
            // it is killed below anyway
        }
        ProcessReaper.endProcess(pid, Duration.ofSeconds(2));
    }

    private static String tail(Path file) {
        try {
            byte[] b = Files.readAllBytes(file);
            int from = Math.max(0, b.length - 2000);
            String s = new String(b, from, b.length - from, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "(nothing on stderr)" : s;
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    private static void pause(Duration d) throws HypervisorException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException(Kind.TIMEOUT, "interrupted while starting Cloud Hypervisor", e);
        }
    }
}
