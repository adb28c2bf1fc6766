package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.cloudhypervisor.http.ScriptedUnixServer;
import dev.form.hypervisor.cloudhypervisor.model.VmInfo;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Well-framed answers with random statuses and garbled bodies, through the whole client: a typed
 * result or a {@link HypervisorException} with a kind and a readable chain, every time.
 */
class ClientAnswerProperties {

    private static Path dir;
    private static ScriptedUnixServer server;
    private static CloudHypervisorClient client;

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("chd-client-props");
        server = new ScriptedUnixServer(dir);
        client = new CloudHypervisorClient(server.socket(), CallTimeouts.DEFAULT.withStandard(Duration.ofMillis(500))
                .withPing(Duration.ofMillis(500)), dev.form.hypervisor.cloudhypervisor.http.ResponseLimits.DEFAULT);
        // The version is learnt once; error answers are then classified without another ping.
        String ping = "{\"build_version\":\"v53.0\",\"version\":\"53.0.0\",\"pid\":1,\"features\":[]}";
        server.then(ScriptedUnixServer.bytes("HTTP/1.1 200 \r\nContent-Length: " + ping.length() + "\r\n\r\n" + ping));
        try {
            client.ping();
        } catch (dev.form.hypervisor.HypervisorException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterContainer
    static void stop() throws IOException {
        client.close();
        server.close();
        Files.deleteIfExists(dir);
    }

    @Provide
    Arbitrary<String> bodies() {
        String info = "{\"config\":{\"cpus\":{\"boot_vcpus\":1,\"max_vcpus\":2},\"memory\":{\"size\":1073741824},\"disks\":[{\"id\":\"_disk0\","
                + "\"path\":\"/img\",\"image_type\":\"FlatVmdk\"}]},\"state\":\"Running\",\"memory_actual_size\":1073741824,"
                + "\"device_tree\":{\"_disk0\":{\"id\":\"_disk0\",\"resources\":[{\"PciBar\":{\"index\":0}}],\"parent\":\"_virtio-pci-_disk0\",\"children\":[]}}}";
        String chain = "[\"Error from API\",\"The VM info is not available\",\"VM is not created\"]";
        Arbitrary<String> mutated = Combinators.combine(Arbitraries.of(info, chain, "{ \"error\": \"x\ny\" }", ""),
                Arbitraries.integers().between(0, 300), Arbitraries.strings().withChars("{}[]\":,\\n0aZ\u00e9\u0000").ofMaxLength(5),
                Arbitraries.integers().between(0, 6)).as((base, at, insert, drop) -> {
                    int i = Math.min(at, base.length());
                    return base.substring(0, i) + insert + base.substring(Math.min(base.length(), i + drop));
                });
        return Arbitraries.oneOf(mutated, Arbitraries.strings().ofMaxLength(300));
    }

    @Property(tries = 300, edgeCases = EdgeCasesMode.MIXIN)
    void everyAnswerBecomesAResultOrATypedError(@ForAll("bodies") String body,
                                                @ForAll("statuses") int status) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        server.then(ScriptedUnixServer.bytes(("HTTP/1.1 " + status + " \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n"
                + "Content-Length: " + b.length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8)));
        assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
            try {
                VmInfo info = client.info();
                assertThat(status).isBetween(200, 299);
                assertThat(info).isNotNull();
            } catch (HypervisorException e) {
                assertThat(e.kind()).isNotNull();
                assertThat(e.chain()).isNotEmpty().allMatch(m -> m != null && m.chars().noneMatch(Character::isISOControl));
                if (status >= 200 && status < 300) assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
            }
        });
    }

    @Example
    void aTokenWithAControlCharacterIsQuotedEscaped() {
        // found by the property above: Jackson quotes the unrecognised token "$\u0085" raw in its message
        String body = "$\u0085";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        server.then(ScriptedUnixServer.bytes(("HTTP/1.1 200 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n"
                + "Content-Length: " + b.length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(client::info).isInstanceOfSatisfying(HypervisorException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
            assertThat(e.chain()).singleElement().asString().contains("\\u0085").doesNotContain("\u0085");
        });
    }

    @Provide
    Arbitrary<Integer> statuses() {
        return Arbitraries.oneOf(Arbitraries.of(200, 204, 400, 404, 409, 429, 500, 503), Arbitraries.integers().between(200, 599));
    }
}
