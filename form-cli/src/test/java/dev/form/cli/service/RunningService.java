package dev.form.cli.service;

import dev.form.cli.CliRun;
import dev.form.hypervisor.HypervisorKind;
import dev.form.testkit.chsim.CloudHypervisorSimulatorMain;
import dev.form.vmm.VmmServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real form VMM service in this JVM, driving the Cloud Hypervisor API simulator (the one stand-in), with
 * one admin key. Shared by a test class: start it once, close it at the end.
 */
public final class RunningService implements AutoCloseable {
    /** Public test keys (the well-known development mnemonic's first two accounts). */
    public static final String ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public static final String ADMIN_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    public static final String OTHER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    public static final String OTHER_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    private final Path root;
    private final Path dataDir;
    private final VmmServer server;

    public RunningService(Path root) throws Exception {
        this(root, null);
    }

    /** @param configFile the service's config file (form vmm serve --config), or null for the defaults */
    public RunningService(Path root, Path configFile) throws Exception {
        this.root = root;
        this.dataDir = root.resolve("vmm");
        Path launcher = CloudHypervisorSimulatorMain.writeLauncher(root.resolve("bin"));
        VmmServer.Options options = VmmServer.Options.defaults(dataDir)
                .withListen("127.0.0.1", 0)
                .withAdmins(List.of(ADMIN_ADDRESS))
                .withHypervisor(HypervisorKind.CLOUD_HYPERVISOR, launcher, null);
        if (configFile != null) options = options.withConfigFile(configFile);
        server = new VmmServer(options);
        server.start();
        Files.writeString(volumes().resolve("vmlinuz"), "not really a kernel: the simulator does not boot it\n");
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path volumes() {
        return dataDir.resolve("volumes");
    }

    public Path kernel() {
        return volumes().resolve("vmlinuz");
    }

    /** The CLI as the admin sees it: FORM_HOST and FORM_PRIVATE_KEY set, its own empty home. */
    public CliRun cli() {
        return cliAs(ADMIN_KEY);
    }

    public CliRun cliAs(String privateKey) {
        Path home = root.resolve("home");
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new CliRun(home).env("FORM_HOST", url()).env("FORM_PRIVATE_KEY", privateKey);
    }

    /** Removes a test's scratch directory (best effort: a VM's files may still be closing). */
    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) return;
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leave it to the system's temp cleaning
        }
    }

    @Override
    public void close() {
        server.close();
        // The service leaves VMs running on close by design; the simulated ones this test started end here.
        ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(CloudHypervisorSimulatorMain.class.getName()))
                .forEach(ProcessHandle::destroy);
    }
}
