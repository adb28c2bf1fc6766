package dev.form.testkit.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Apache Kafka (KRaft, broker and controller in one) running inside the test's JVM,
 * on free loopback ports, with its log directory under a directory the test owns.
 *
 * <p>{@link #restart()} stops the server and starts it again on the same ports and the same log
 * directory, so clients keep their bootstrap address and nothing acknowledged is lost — which is
 * what a broker restart in production looks like to them. Start-up takes a few seconds, so a test
 * class shares one broker.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path logDir;
    private final Path configFile;
    private final int brokerPort;
    private final int controllerPort;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path logDir, Path configFile, int brokerPort, int controllerPort) {
        this.logDir = logDir;
        this.configFile = configFile;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats a fresh log directory under {@code dir} and starts the broker; returns once it answers
     * metadata requests.
     */
    public static EmbeddedKafkaBroker start(Path dir) {
        try {
            Files.createDirectories(dir);
            Path logDir = dir.resolve("kafka-logs");
            int brokerPort = freeLoopbackPort();
            int controllerPort = freeLoopbackPort();
            while (controllerPort == brokerPort) controllerPort = freeLoopbackPort();
            Path configFile = dir.resolve("server.properties");
            Properties props = serverProperties(logDir, brokerPort, controllerPort);
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "in-process KRaft broker for tests");
            }
            format(configFile);
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(logDir, configFile, brokerPort, controllerPort);
            broker.startServer();
            return broker;
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the embedded Kafka broker under " + dir + ": " + e, e);
        }
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}; stable across {@link #restart()}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public Path logDir() {
        return logDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the broker (a controlled shutdown: acknowledged data is on disk). Idempotent. */
    public synchronized void stop() {
        if (server == null) return;
        KafkaRaftServer s = server;
        server = null;
        s.shutdown();
        s.awaitShutdown();
    }

    /** Stops and starts again on the same ports and log directory. */
    public synchronized void restart() {
        stop();
        startServer();
    }

    /** Starts a stopped broker again on the same ports and log directory. */
    public synchronized void startAgain() {
        if (server == null) startServer();
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void startServer() {
        Properties props = new Properties();
        try (var in = Files.newInputStream(configFile)) {
            props.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + configFile + ": " + e, e);
        }
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        s.startup();
        server = s;
        awaitReady();
    }

    /** The broker answers before its listener is fully usable: wait until it reports itself in the cluster. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) return;
                } catch (Exception e) {
                    if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                    last = e;
                }
                sleep(100);
            }
        }
        throw new IllegalStateException("embedded Kafka broker at " + bootstrapServers()
                + " did not become ready within " + READY_TIMEOUT + (last == null ? "" : ": " + last));
    }

    private static Properties serverProperties(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        // One node: every internal topic must make do with one replica.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "5");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "5");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("num.partitions", "1");
        // Tests want consumers to join at once, not after the production default of 3 s.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "true");
        // Fewer threads on a shared 2-core machine.
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        p.setProperty("log.cleaner.enable", "false");
        return p;
    }

    private static void format(Path configFile) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[]{"format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString()}, out);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting the Kafka log directory failed (exit " + rc + "): "
                    + captured.toString(StandardCharsets.UTF_8));
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }
}
