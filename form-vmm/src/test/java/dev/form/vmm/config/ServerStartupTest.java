package dev.form.vmm.config;

import dev.form.hypervisor.HypervisorKind;
import dev.form.vmm.VmmServer;
import dev.form.vmm.testing.ServiceHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the service refuses at start-up, and the data directory it leaves behind. */
class ServerStartupTest {
    @TempDir
    Path dir;

    private VmmServer.Options options() throws Exception {
        Path bin = ServiceHarness.simulatorLauncher(dir.resolve("bin"));
        return VmmServer.Options.defaults(dir.resolve("data")).withListen("127.0.0.1", 0)
                .withHypervisor(HypervisorKind.CLOUD_HYPERVISOR, bin, null);
    }

    @Test
    void plainHttpBeyondLoopbackIsRefusedUnlessExplicitlyAccepted() throws Exception {
        VmmServer.Options open = options().withListen("0.0.0.0", 0);
        try (VmmServer s = new VmmServer(open)) {
            assertThatThrownBy(s::start).isInstanceOf(ConfigException.class).hasMessageContaining("TLS").hasMessageContaining("--insecure-listen");
        }
        try (VmmServer s = new VmmServer(open.withInsecureListen(true))) {
            s.start();
            assertThat(s.port()).isPositive();
        }
    }

    @Test
    void servesHttpsWithAConfiguredKeystore() throws Exception {
        Path keystore = dir.resolve("tls.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "form", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).isZero();
        try (VmmServer s = new VmmServer(options().withTls(keystore, "changeit"))) {
            s.start();
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(keystore)) {
                trust.load(in, "changeit".toCharArray());
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
            var reply = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + s.port() + "/v1/health")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body()).contains("\"status\":\"ok\"");
        }
    }

    @Test
    void theDataDirectoryAndRegistryArePrivate() throws Exception {
        try (VmmServer s = new VmmServer(options())) {
            s.start();
            Path data = dir.resolve("data");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
            for (String sub : VmmServer.DATA_SUBDIRS) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(sub)))).as(sub).isEqualTo("rwx------");
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(VmmServer.REGISTRY_FILE)))).isEqualTo("rw-------");
        }
    }

    @Test
    void withoutAdminsNobodyMayCreateAndTheAnswerSaysWhy() throws Exception {
        try (VmmServer s = new VmmServer(options())) {
            s.start();
            dev.form.core.keys.Credentials someone = dev.form.core.keys.Credentials.generate(new java.security.SecureRandom());
            byte[] body = "{\"name\":\"x\",\"kernel\":\"k\"}".getBytes();
            var sig = dev.form.core.auth.RequestSigner.sign(someone, "POST", "/v1/instances", body, java.time.Duration.ofMinutes(1));
            var answer = s.dispatcher().dispatch(new dev.form.vmm.pipeline.ApiRequest("POST", "/v1/instances", body, sig,
                    dev.form.vmm.pipeline.RequestOrigin.DIRECT));
            assertThat(answer.status()).isEqualTo(403);
            assertThat(answer.bodyText()).contains("forbidden").contains("no admin addresses");
        }
    }

    @Test
    void aConfigFileWithAMisspeltFieldNamesIt() throws Exception {
        Path config = dir.resolve("vmm.json");
        Files.writeString(config, "{\"admins\": [], \"hostPolicy\": {\"imageDir\": [\"/srv\"]}}");
        try (VmmServer s = new VmmServer(options().withConfigFile(config))) {
            assertThatThrownBy(s::start).isInstanceOf(ConfigException.class).hasMessageContaining("imageDir");
        }
    }

    @Test
    void listenAddressesAreParsed() {
        assertThat(VmmServer.Options.parseListen("127.0.0.1:3002")).containsExactly("127.0.0.1", "3002");
        assertThat(VmmServer.Options.parseListen("[::1]:80")).containsExactly("::1", "80");
        assertThatThrownBy(() -> VmmServer.Options.parseListen("localhost")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> VmmServer.Options.parseListen("h:99999")).isInstanceOf(ConfigException.class);
        assertThat(List.of(VmmServer.DEFAULT_PORT)).containsExactly(3002);
    }
}
