package dev.form.cli;

import dev.form.cli.config.CliConfig;
import dev.form.cli.config.ConfigLoader;
import dev.form.cli.config.ServiceAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the service is (--host, FORM_HOST, config hosts[0] + vmm_port) and how the config file is found and read. */
class ServiceAddressTest {
    @TempDir
    Path home;

    private static CliConfig config(List<String> hosts, Integer port) {
        return new CliConfig(hosts, port, null, null, null, null);
    }

    @Test
    void flagBeatsEnvironmentBeatsConfigBeatsDefault() {
        CliConfig cfg = config(List.of("10.0.0.9"), 4000);
        assertThat(ServiceAddress.resolve("http://flag:1", "http://env:2", cfg)).isEqualTo(URI.create("http://flag:1"));
        assertThat(ServiceAddress.resolve(null, "http://env:2", cfg)).isEqualTo(URI.create("http://env:2"));
        assertThat(ServiceAddress.resolve(null, null, cfg)).isEqualTo(URI.create("http://10.0.0.9:4000"));
        assertThat(ServiceAddress.resolve(null, null, CliConfig.empty())).isEqualTo(URI.create("http://127.0.0.1:3002"));
    }

    @Test
    void hostsMayBeBareNamesHostPortOrUrls() {
        assertThat(ServiceAddress.resolve(null, null, config(List.of("node1"), null))).isEqualTo(URI.create("http://node1:3002"));
        assertThat(ServiceAddress.resolve(null, null, config(List.of("node1:9"), null))).isEqualTo(URI.create("http://node1:9"));
        assertThat(ServiceAddress.resolve("https://node2", null, CliConfig.empty())).isEqualTo(URI.create("https://node2:3002"));
        assertThat(ServiceAddress.resolve("::1", null, CliConfig.empty()).getPort()).isEqualTo(3002);
    }

    @Test
    void badAddressesAreUsageErrors() {
        assertThatThrownBy(() -> ServiceAddress.resolve("ftp://x", null, CliConfig.empty()))
                .isInstanceOfSatisfying(CliFailure.class, f -> {
                    assertThat(f.exitCode()).isEqualTo(2);
                    assertThat(f.getMessage()).contains("--host", "ftp://x");
                });
        assertThatThrownBy(() -> ServiceAddress.resolve("http://x:1/v1", null, CliConfig.empty()))
                .isInstanceOfSatisfying(CliFailure.class, f -> assertThat(f.getMessage()).contains("path"));
    }

    private CliContext ctx(Map<String, String> env) {
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        return new CliContext(env, home, InputStream.nullInputStream(), quiet, quiet);
    }

    @Test
    void theOriginalsConfigFileStillReads() throws Exception {
        Path file = home.resolve(".config/form/config.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"hosts": ["192.168.1.7"], "vmm_port": 3002, "pack_manager_port": 3003, "formnet_port": 3001,
                 "keystore_path": "~/.config/form/keystore.json"}""");
        CliConfig cfg = ConfigLoader.load(ctx(Map.of()));
        assertThat(cfg.hosts()).containsExactly("192.168.1.7");
        assertThat(cfg.keystorePath()).isEqualTo("~/.config/form/keystore.json");
        assertThat(new IdentityResolver(ctx(Map.of()), cfg).configKeystore()).isEqualTo(home.resolve(".config/form/keystore.json"));
    }

    @Test
    void formkitNamesAnotherConfigAndQueueKeysRead() throws Exception {
        Path file = home.resolve("other.json");
        Files.writeString(file, """
                {"hosts": ["h"], "queue": {"kind": "kafka", "kafka": {"bootstrap_servers": "b:9092", "request_topic": "req"}}}""");
        CliConfig cfg = ConfigLoader.load(ctx(Map.of("FORMKIT", file.toString())));
        assertThat(cfg.queue().kind()).isEqualTo("kafka");
        assertThat(cfg.queue().kafka().bootstrapServers()).isEqualTo("b:9092");
        assertThat(cfg.queue().kafka().requestTopic()).isEqualTo("req");
    }

    @Test
    void aMissingDefaultConfigIsEmptyButAMissingFormkitFileIsAnError() {
        assertThat(ConfigLoader.load(ctx(Map.of()))).isEqualTo(CliConfig.empty());
        assertThatThrownBy(() -> ConfigLoader.load(ctx(Map.of("FORMKIT", home.resolve("nope.json").toString()))))
                .isInstanceOfSatisfying(CliFailure.class, f -> assertThat(f.getMessage()).contains("FORMKIT", "does not exist"));
    }

    @Test
    void aConfigValueOfTheWrongTypeAndAnUnknownNestedFieldAreNamed() throws Exception {
        Path file = home.resolve("typed.json");
        String[][] cases = {
                {"{\"vmm_port\": \"3002\"}", "field \"vmm_port\" must be a whole number"},
                {"{\"vmm_port\": 3000000000}", "field \"vmm_port\" must be a whole number"},
                {"{\"hosts\": \"h\"}", "field \"hosts\" must be an array of strings"},
                {"{\"hosts\": [\"h\", 7]}", "field \"hosts\" must be an array of strings"},
                {"{\"queue\": {\"kind\": 1}}", "field \"queue.kind\" must be a string"},
                {"{\"queue\": \"kafka\"}", "field \"queue\" must hold a JSON object"},
                {"{\"queue\": {\"kafka\": {\"bootstrapservers\": \"b:9092\"}}}", "unknown field \"queue.kafka.bootstrapservers\""},
                {"[1]", "the file must hold a JSON object"},
        };
        for (String[] c : cases) {
            Files.writeString(file, c[0]);
            assertThatThrownBy(() -> ConfigLoader.load(ctx(Map.of("FORMKIT", file.toString()))))
                    .as(c[0]).isInstanceOfSatisfying(CliFailure.class, f -> {
                        assertThat(f.getMessage()).contains(file.toString()).contains(c[1]);
                        assertThat(f.exitCode()).isEqualTo(2);
                    });
        }
        Files.writeString(file, "{\"hosts\": null, \"queue\": {\"kind\": \"embedded\", \"kafka\": null}}");
        CliConfig cfg = ConfigLoader.load(ctx(Map.of("FORMKIT", file.toString())));
        assertThat(cfg.hosts()).isNull();
        assertThat(cfg.queue()).isEqualTo(new CliConfig.QueueConfig("embedded", null));
    }

    @Test
    void aMisspeltConfigFieldIsNamed() throws Exception {
        Path file = home.resolve("c.json");
        Files.writeString(file, "{\"hostz\": [\"x\"]}");
        CliRun.Result r = new CliRun(home).env("FORMKIT", file.toString()).run("manage", "list");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown field \"hostz\"").contains("hint: known fields");
        Files.writeString(file, "{\"hosts\": [\"x\"");
        CliRun.Result broken = new CliRun(home).env("FORMKIT", file.toString()).run("manage", "list");
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err()).contains("is not valid");
    }
}
