package dev.form.vmm.testing;

import dev.form.core.api.CreateInstanceRequest;
import dev.form.core.keys.Credentials;
import dev.form.hypervisor.HypervisorKind;
import dev.form.testkit.chsim.CloudHypervisorSimulatorMain;
import dev.form.vmm.VmmServer;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.registry.Registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real service in this JVM, on a free loopback port, with a real SQLite registry in a temporary
 * data directory and the Cloud Hypervisor simulator standing in for the cloud-hypervisor binary.
 * VMs outlive the service (as in production), so {@link #close} ends every simulator process it knows.
 */
public final class ServiceHarness implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    public final Path dataDir;
    public final Path chBin;
    public final Credentials admin;
    private final Duration removalTimeout;
    private VmmServer server;
    private final List<Long> vmPids = new ArrayList<>();

    public ServiceHarness(Path root, Duration removalTimeout, String... simulatorFlags) throws IOException {
        this.dataDir = root.resolve("data");
        this.chBin = simulatorLauncher(root.resolve("bin"), simulatorFlags);
        this.admin = Credentials.generate(RANDOM);
        this.removalTimeout = removalTimeout;
    }

    /** The simulator's launcher, wrapped to pass simulator knobs (e.g. --sim-never-eject) when given. */
    public static Path simulatorLauncher(Path dir, String... simulatorFlags) throws IOException {
        Path launcher = CloudHypervisorSimulatorMain.writeLauncher(dir.resolve("sim"));
        if (simulatorFlags.length == 0) return launcher;
        Path wrapper = dir.resolve("cloud-hypervisor");
        Files.writeString(wrapper, "#!/bin/sh\nexec '" + launcher + "' \"$@\" " + String.join(" ", simulatorFlags) + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return wrapper;
    }

    public VmmServer.Options options() {
        return VmmServer.Options.defaults(dataDir).withListen("127.0.0.1", 0).withAdmins(List.of(admin.address()))
                .withHypervisor(HypervisorKind.CLOUD_HYPERVISOR, chBin, null)
                .withTimeouts(removalTimeout, Duration.ofSeconds(5));
    }

    public ServiceHarness start() throws Exception {
        server = new VmmServer(options());
        server.start();
        return this;
    }

    /** Stops the service (VMs keep running) and starts a new one on the same data directory. */
    public ServiceHarness restart() throws Exception {
        rememberVms();
        server.close();
        return start();
    }

    public VmmServer server() {
        return server;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public SignedClient client(Credentials key) {
        return new SignedClient(baseUrl(), key);
    }

    public SignedClient adminClient() {
        return client(admin);
    }

    /** A file the simulator accepts as a kernel, inside the default image directory. */
    public String kernel() throws IOException {
        Path k = dataDir.resolve("volumes/vmlinuz");
        if (!Files.exists(k)) {
            Files.createDirectories(k.getParent());
            Files.write(k, new byte[4096]);
        }
        return k.toString();
    }

    public CreateInstanceRequest createRequest(String name) throws IOException {
        return new CreateInstanceRequest(name, kernel(), null, "console=ttyS0", null, 1, 4, 256L << 20, 1024L << 20, null, null);
    }

    public Registry registry() {
        return server.registry();
    }

    public InstanceRecord instance(String ref) {
        return registry().read(c -> InstanceStore.byRef(c, ref)).orElseThrow();
    }

    private void rememberVms() {
        if (server == null || server.registry() == null) return;
        try {
            for (InstanceRecord i : server.registry().read(InstanceStore::all)) {
                if (i.endpoint() != null && i.endpoint().pid() > 0) vmPids.add(i.endpoint().pid());
            }
        } catch (RuntimeException ignored) {
            // the registry is closed already
        }
    }

    @Override
    public void close() {
        rememberVms();
        if (server != null) server.close();
        for (long pid : vmPids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        killProcessesUsing(dataDir);
    }

    /** Ends every process whose command line names {@code dir} (VMs and daemons of this test), even after a failed test. */
    public static void killProcessesUsing(Path dir) {
        String needle = dir.toAbsolutePath().toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().commandLine().map(c -> c.contains(needle)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }
}
