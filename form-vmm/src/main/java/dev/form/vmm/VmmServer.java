package dev.form.vmm;

import dev.form.hypervisor.HypervisorKind;
import dev.form.vmm.access.Admins;
import dev.form.vmm.access.Authorization;
import dev.form.vmm.api.ServiceRoutes;
import dev.form.vmm.config.ConfigException;
import dev.form.vmm.config.HypervisorSelection;
import dev.form.vmm.config.ServiceConfig;
import dev.form.vmm.host.HostPolicy;
import dev.form.vmm.host.PciAddress;
import dev.form.vmm.host.VirtiofsdSupervisor;
import dev.form.vmm.http.HttpFrontend;
import dev.form.vmm.instances.Hypervisors;
import dev.form.vmm.instances.InstanceLauncher;
import dev.form.vmm.instances.InstanceLocks;
import dev.form.vmm.instances.InstanceOperations;
import dev.form.vmm.instances.ServiceSettings;
import dev.form.vmm.instances.ServiceState;
import dev.form.vmm.instances.VmConnections;
import dev.form.vmm.pipeline.RequestDispatcher;
import dev.form.vmm.pipeline.Route;
import dev.form.vmm.reconcile.Reconciler;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.registry.Migration;
import dev.form.vmm.registry.NonceStore;
import dev.form.vmm.registry.Registry;
import dev.form.vmm.resources.PolicyHostResources;
import dev.form.vmm.resources.ResourceOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The VMM service of one host ({@code form vmm serve}): opens the registry in the data directory,
 * picks the hypervisor, re-attaches to the VMs that outlived the last run and reconciles them, then
 * serves the HTTP API. Closing it stops serving but leaves every VM (and its virtiofsd) running.
 *
 * <pre>
 * try (VmmServer server = new VmmServer(VmmServer.Options.defaults(dataDir).withAdmins(List.of(addr)))) {
 *     server.start();
 *     server.awaitShutdown();
 * }
 * </pre>
 */
public final class VmmServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VmmServer.class);
    public static final int DEFAULT_PORT = 3002;
    public static final String REGISTRY_FILE = "registry.db";
    public static final List<String> DATA_SUBDIRS = List.of("volumes", "shares", "sockets", "consoles", "run");

    /**
     * Everything {@code form vmm serve} can be told. Null means "from the config file, else the default".
     *
     * @param listenHost         default 127.0.0.1
     * @param listenPort         default 3002; 0 picks a free port (tests)
     * @param hypervisor         null: detect (Cloud Hypervisor with KVM, else QEMU)
     * @param cloudHypervisorBin the cloud-hypervisor executable (or the simulator's launcher)
     * @param removalTimeout     how long remove waits for the guest by default (10 s)
     * @param tlsKeystore        serve HTTPS with this keystore; needed to listen beyond loopback
     * @param insecureListen     allow plain HTTP beyond loopback anyway (logged loudly)
     * @param extensions         extensions besides those found by ServiceLoader
     */
    public record Options(Path dataDir, String listenHost, Integer listenPort, Path configFile, List<String> admins,
                          HypervisorKind hypervisor, Path cloudHypervisorBin, Path qemuBin, Path virtiofsdBin,
                          Duration removalTimeout, Duration stopTimeout, Path tlsKeystore, String tlsKeystorePassword,
                          boolean insecureListen, List<VmmExtension> extensions) {
        public Options {
            admins = admins == null ? List.of() : List.copyOf(admins);
            extensions = extensions == null ? List.of() : List.copyOf(extensions);
        }

        public static Options defaults(Path dataDir) {
            return new Options(dataDir, null, null, null, List.of(), null, null, null, null, null, null, null, null, false, List.of());
        }

        public Options withListen(String host, int port) {
            return new Options(dataDir, host, port, configFile, admins, hypervisor, cloudHypervisorBin, qemuBin, virtiofsdBin,
                    removalTimeout, stopTimeout, tlsKeystore, tlsKeystorePassword, insecureListen, extensions);
        }

        public Options withConfigFile(Path file) {
            return new Options(dataDir, listenHost, listenPort, file, admins, hypervisor, cloudHypervisorBin, qemuBin, virtiofsdBin,
                    removalTimeout, stopTimeout, tlsKeystore, tlsKeystorePassword, insecureListen, extensions);
        }

        public Options withAdmins(List<String> list) {
            return new Options(dataDir, listenHost, listenPort, configFile, list, hypervisor, cloudHypervisorBin, qemuBin, virtiofsdBin,
                    removalTimeout, stopTimeout, tlsKeystore, tlsKeystorePassword, insecureListen, extensions);
        }

        public Options withHypervisor(HypervisorKind kind, Path cloudHypervisor, Path qemu) {
            return new Options(dataDir, listenHost, listenPort, configFile, admins, kind, cloudHypervisor, qemu, virtiofsdBin,
                    removalTimeout, stopTimeout, tlsKeystore, tlsKeystorePassword, insecureListen, extensions);
        }

        public Options withVirtiofsd(Path binary) {
            return new Options(dataDir, listenHost, listenPort, configFile, admins, hypervisor, cloudHypervisorBin, qemuBin, binary,
                    removalTimeout, stopTimeout, tlsKeystore, tlsKeystorePassword, insecureListen, extensions);
        }

        public Options withTimeouts(Duration removal, Duration stop) {
            return new Options(dataDir, listenHost, listenPort, configFile, admins, hypervisor, cloudHypervisorBin, qemuBin, virtiofsdBin,
                    removal, stop, tlsKeystore, tlsKeystorePassword, insecureListen, extensions);
        }

        public Options withTls(Path keystore, String password) {
            return new Options(dataDir, listenHost, listenPort, configFile, admins, hypervisor, cloudHypervisorBin, qemuBin, virtiofsdBin,
                    removalTimeout, stopTimeout, keystore, password, insecureListen, extensions);
        }

        public Options withInsecureListen(boolean insecure) {
            return new Options(dataDir, listenHost, listenPort, configFile, admins, hypervisor, cloudHypervisorBin, qemuBin, virtiofsdBin,
                    removalTimeout, stopTimeout, tlsKeystore, tlsKeystorePassword, insecure, extensions);
        }

        public Options withExtensions(List<VmmExtension> list) {
            return new Options(dataDir, listenHost, listenPort, configFile, admins, hypervisor, cloudHypervisorBin, qemuBin, virtiofsdBin,
                    removalTimeout, stopTimeout, tlsKeystore, tlsKeystorePassword, insecureListen, list);
        }

        /** Parses {@code HOST:PORT} (IPv6 as {@code [::1]:3002}); the error names the rule. */
        public static String[] parseListen(String hostPort) {
            int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostPort.length() - 1) throw new ConfigException("--listen must be HOST:PORT, got '" + hostPort + "'");
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            try {
                int port = Integer.parseInt(hostPort.substring(colon + 1));
                if (port < 0 || port > 65535) throw new NumberFormatException();
                return new String[]{host, Integer.toString(port)};
            } catch (NumberFormatException e) {
                throw new ConfigException("--listen port must be 0 to 65535, got '" + hostPort.substring(colon + 1) + "'");
            }
        }
    }

    private final Options options;
    private final CountDownLatch shutdown = new CountDownLatch(1);
    private Registry registry;
    private RequestDispatcher dispatcher;
    private Reconciler reconciler;
    private HttpFrontend http;
    private ServiceState state;
    private ScheduledExecutorService housekeeping;
    private final List<VmmExtension> extensions = new ArrayList<>();

    public VmmServer(Options options) {
        this.options = options;
    }

    /**
     * Prepares the data directory, opens the registry, reconciles, and opens the listener.
     *
     * @throws ConfigException for anything the operator must change (the message says what)
     */
    public void start() throws Exception {
        ServiceConfig config = options.configFile() == null ? ServiceConfig.empty() : ServiceConfig.read(options.configFile());
        Path dataDir = (options.dataDir() != null ? options.dataDir()
                : config.dataDir() != null ? Path.of(config.dataDir()) : defaultDataDir()).toAbsolutePath().normalize();
        String host;
        int port;
        if (options.listenHost() != null) {
            host = options.listenHost();
            port = options.listenPort() == null ? DEFAULT_PORT : options.listenPort();
        } else if (config.listen() != null) {
            String[] hp = Options.parseListen(config.listen());
            host = hp[0];
            port = Integer.parseInt(hp[1]);
        } else {
            host = "127.0.0.1";
            port = options.listenPort() == null ? DEFAULT_PORT : options.listenPort();
        }
        Path keystore = options.tlsKeystore() != null ? options.tlsKeystore()
                : config.tls() != null && config.tls().keystore() != null ? Path.of(config.tls().keystore()) : null;
        String keystorePassword = options.tlsKeystorePassword();
        if (keystorePassword == null && config.tls() != null && config.tls().passwordFile() != null) {
            keystorePassword = Files.readString(Path.of(config.tls().passwordFile())).strip();
        }
        boolean loopback = isLoopback(host);
        if (!loopback && keystore == null) {
            if (!options.insecureListen()) {
                throw new ConfigException("refusing to serve plain HTTP on " + host + ": beyond loopback the service needs TLS (a keystore in the config's"
                        + " \"tls\" or --tls-keystore), or --insecure-listen to accept the risk");
            }
            LOG.warn("!!! INSECURE: serving plain HTTP on non-loopback address {}:{} (--insecure-listen). Signed requests cannot be forged,"
                    + " but anyone on the network can read them and the answers. !!!", host, port);
        }

        prepareDataDir(dataDir);
        Set<String> adminSet = new LinkedHashSet<>(options.admins());
        if (config.admins() != null) adminSet.addAll(config.admins());
        Admins admins = Admins.of(adminSet);
        if (admins.none()) {
            LOG.warn("no admin addresses are configured: nobody can create or adopt instances (give --admin ADDRESS or \"admins\" in the config file)");
        } else {
            LOG.info("admins: {}", String.join(", ", adminSet));
        }

        HostPolicy policy = hostPolicy(dataDir, config);
        VirtiofsdSupervisor.Settings virtiofsd = VirtiofsdSupervisor.Settings.defaults();
        Path virtiofsdBin = options.virtiofsdBin() != null ? options.virtiofsdBin() : config.virtiofsdBin() != null ? Path.of(config.virtiofsdBin()) : null;
        if (virtiofsdBin != null) virtiofsd = virtiofsd.withBinary(virtiofsdBin);
        PolicyHostResources host0 = new PolicyHostResources(policy, virtiofsd);

        HypervisorKind forced = options.hypervisor() != null ? options.hypervisor()
                : config.hypervisor() != null ? HypervisorKind.fromWire(config.hypervisor()) : null;
        Path chBin = options.cloudHypervisorBin() != null ? options.cloudHypervisorBin()
                : config.cloudHypervisorBin() != null ? Path.of(config.cloudHypervisorBin()) : null;
        Path qemuBin = options.qemuBin() != null ? options.qemuBin() : config.qemuBin() != null ? Path.of(config.qemuBin()) : null;
        Hypervisors hypervisors = HypervisorSelection.select(forced, chBin, qemuBin, HypervisorSelection.Host.current());
        LOG.info("new instances run on {}", hypervisors.preferred().wireName());

        ServiceSettings defaults = ServiceSettings.defaults();
        Duration removal = options.removalTimeout() != null ? options.removalTimeout()
                : config.removalTimeoutMs() != null ? Duration.ofMillis(config.removalTimeoutMs()) : defaults.removalTimeout();
        Duration stop = options.stopTimeout() != null ? options.stopTimeout()
                : config.stopTimeoutMs() != null ? Duration.ofMillis(config.stopTimeoutMs()) : defaults.stopTimeout();
        ServiceSettings settings = new ServiceSettings(removal, defaults.maxRemovalTimeout(), stop, defaults.instanceLockWait());

        extensions.addAll(options.extensions());
        for (VmmExtension e : ServiceLoader.load(VmmExtension.class)) {
            if (extensions.stream().noneMatch(x -> x.getClass().equals(e.getClass()))) extensions.add(e);
        }
        List<Migration> migrations = new ArrayList<>();
        extensions.forEach(e -> migrations.addAll(e.migrations()));
        registry = Registry.open(dataDir.resolve(REGISTRY_FILE), migrations);

        Clock clock = Clock.systemUTC();
        state = new ServiceState(registry, hypervisors, new VmConnections(), new InstanceLocks(settings.instanceLockWait()), host0,
                new Authorization(admins), settings, clock);
        InstanceOperations instanceOps = new InstanceOperations(state, new InstanceLauncher(state));
        reconciler = new Reconciler(state, instanceOps);
        ResourceOperations resourceOps = new ResourceOperations(state, reconciler);
        List<Route> routes = ServiceRoutes.of(instanceOps, resourceOps,
                () -> ServiceRoutes.healthBody(hypervisors.preferred().wireName(), registry.read(c -> InstanceStore.all(c).size())));
        dispatcher = new RequestDispatcher(registry, clock, routes);

        reconciler.start(500);
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "form-vmm-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(this::pruneNonces, 0, 60, TimeUnit.SECONDS);

        VmmContext context = new VmmContext(registry, dispatcher, dataDir, clock, config.queue(), options);
        for (VmmExtension e : extensions) dispatcher.register(e.start(context));

        http = new HttpFrontend(dispatcher, host, port, keystore == null ? null : new HttpFrontend.Tls(keystore, keystorePassword));
        http.start();
        LOG.info("form VMM service listening on {}://{}:{} (data in {})", keystore == null ? "http" : "https", host, http.port(), dataDir);
    }

    private void pruneNonces() {
        try {
            int n = registry.write(c -> NonceStore.prune(c, Clock.systemUTC().instant().getEpochSecond()));
            if (n > 0) LOG.debug("forgot {} expired nonces", n);
        } catch (RuntimeException e) {
            LOG.warn("pruning expired nonces failed: {}", e.getMessage());
        }
    }

    private static HostPolicy hostPolicy(Path dataDir, ServiceConfig config) {
        HostPolicy p = HostPolicy.defaults(dataDir);
        ServiceConfig.HostPolicyConfig hp = config.hostPolicy();
        if (hp == null) return p;
        if (hp.imageDirs() != null && !hp.imageDirs().isEmpty()) p = p.withImageDirs(hp.imageDirs().stream().map(Path::of).toList());
        if (hp.shareDirs() != null && !hp.shareDirs().isEmpty()) p = p.withShareDirs(hp.shareDirs().stream().map(Path::of).toList());
        if (hp.socketDir() != null) p = p.withSocketDir(Path.of(hp.socketDir()));
        if (hp.sysfsRoot() != null) p = p.withSysfsRoot(Path.of(hp.sysfsRoot()));
        if (hp.vfioDevDir() != null) p = p.withVfioDevDir(Path.of(hp.vfioDevDir()));
        if (hp.pciDevices() != null) {
            try {
                p = p.withAllowedDevices(hp.pciDevices().stream().map(a -> PciAddress.parse("hostPolicy.pciDevices", a)).collect(Collectors.toSet()));
            } catch (ApiProblem e) {
                throw new ConfigException("config file: hostPolicy.pciDevices: " + e.getMessage());
            }
        }
        return p;
    }

    private static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".local", "share", "form", "vmm");
    }

    private static void prepareDataDir(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        for (String sub : DATA_SUBDIRS) {
            Path d = dataDir.resolve(sub);
            Files.createDirectories(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
        }
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost")) return true;
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("cannot resolve the listen address '" + host + "'");
        }
    }

    /** The bound port (after {@link #start}). */
    public int port() {
        return http.port();
    }

    /** The single entry point, for in-process callers (the queue, tests). */
    public RequestDispatcher dispatcher() {
        return dispatcher;
    }

    public Registry registry() {
        return registry;
    }

    /** Blocks until {@link #close} is called (or the JVM stops). */
    public void awaitShutdown() throws InterruptedException {
        shutdown.await();
    }

    /** Stops serving; every VM and its virtiofsd keep running for the next start to re-attach. */
    @Override
    public void close() {
        if (http != null) http.close();
        for (VmmExtension e : extensions) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                LOG.warn("closing extension {} failed: {}", e.getClass().getSimpleName(), ex.getMessage());
            }
        }
        if (reconciler != null) reconciler.close();
        if (housekeeping != null) housekeeping.shutdownNow();
        if (state != null) state.vms().closeAll();
        if (registry != null) registry.close();
        shutdown.countDown();
    }

    /** Runs the service in this JVM until it is killed; for the systemd unit and child-process tests. */
    public static void main(String[] args) throws Exception {
        Options o = Options.defaults(null);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--data-dir" -> { o = new Options(Path.of(v), o.listenHost(), o.listenPort(), o.configFile(), o.admins(), o.hypervisor(),
                        o.cloudHypervisorBin(), o.qemuBin(), o.virtiofsdBin(), o.removalTimeout(), o.stopTimeout(), o.tlsKeystore(),
                        o.tlsKeystorePassword(), o.insecureListen(), o.extensions()); i++; }
                case "--listen" -> { String[] hp = Options.parseListen(v); o = o.withListen(hp[0], Integer.parseInt(hp[1])); i++; }
                case "--config" -> { o = o.withConfigFile(Path.of(v)); i++; }
                case "--admin" -> { List<String> l = new ArrayList<>(o.admins()); l.add(v); o = o.withAdmins(l); i++; }
                case "--hypervisor" -> { o = o.withHypervisor(HypervisorKind.fromWire(v), o.cloudHypervisorBin(), o.qemuBin()); i++; }
                case "--cloud-hypervisor-bin" -> { o = o.withHypervisor(o.hypervisor(), Path.of(v), o.qemuBin()); i++; }
                case "--qemu-bin" -> { o = o.withHypervisor(o.hypervisor(), o.cloudHypervisorBin(), Path.of(v)); i++; }
                case "--removal-timeout-ms" -> { o = o.withTimeouts(Duration.ofMillis(Long.parseLong(v)), o.stopTimeout()); i++; }
                case "--insecure-listen" -> o = o.withInsecureListen(true);
                default -> throw new ConfigException("unknown option " + a);
            }
        }
        VmmServer server = new VmmServer(o);
        try {
            server.start();
        } catch (ConfigException e) {
            System.err.println("form vmm serve: " + e.getMessage());
            System.exit(2);
        }
        System.out.println("listening on port " + server.port());
        System.out.flush();
        server.awaitShutdown();
    }
}
