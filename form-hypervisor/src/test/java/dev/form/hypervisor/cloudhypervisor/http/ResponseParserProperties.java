package dev.form.hypervisor.cloudhypervisor.http;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Random and garbled bytes in place of a response: the parser and the connection answer with a
 * response or a clean protocol error every time, and never wait past the call's limit.
 */
class ResponseParserProperties {

    private static final List<String> VALID = List.of(
            "HTTP/1.1 204 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n\r\n",
            "HTTP/1.1 200 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 36\r\n\r\n{\"id\":\"_disk3\",\"bdf\":\"0000:00:05.0\"}",
            "HTTP/1.1 500 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 58\r\n\r\n[\"Error from API\",\"The VM could not boot\",\"VM is not run\"]",
            "HTTP/1.1 400 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 40\r\n\r\n{ \"error\": \"bad\nAll previous dropped\" }",
            "HTTP/1.1 200 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n");

    private static final ResponseLimits LIMITS = new ResponseLimits(512, 2048);

    private static Path dir;
    private static ScriptedUnixServer server;

    @BeforeContainer
    static void startServer() throws IOException {
        dir = Files.createTempDirectory("chd-props");
        server = new ScriptedUnixServer(dir);
    }

    @AfterContainer
    static void stopServer() throws IOException {
        server.close();
        Files.deleteIfExists(dir);
    }

    @Provide
    Arbitrary<byte[]> garbled() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
        Arbitrary<byte[]> mutated = Combinators.combine(
                Arbitraries.of(VALID),
                Arbitraries.integers().between(0, 400).list().ofMaxSize(6),
                Arbitraries.bytes().list().ofMaxSize(6),
                Arbitraries.integers().between(0, 400)).as((valid, positions, values, cut) -> {
                    byte[] b = valid.getBytes(StandardCharsets.ISO_8859_1);
                    for (int i = 0; i < Math.min(positions.size(), values.size()); i++)
                        if (positions.get(i) < b.length) b[positions.get(i)] = values.get(i);
                    return cut < b.length && cut % 3 == 0 ? java.util.Arrays.copyOf(b, cut) : b;
                });
        Arbitrary<byte[]> statusLines = Arbitraries.strings().withChars("HTP/1.0 2345\r\n:abcCL-").ofMaxLength(80)
                .map(s -> (s + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.oneOf(random, mutated, statusLines);
    }

    @Property(tries = 1000, edgeCases = EdgeCasesMode.MIXIN)
    void theParserAnswersOrRefusesCleanly(@ForAll("garbled") byte[] input) {
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            ResponseParser parser = new ResponseParser(LIMITS);
            for (int len = 0; len <= input.length; len += Math.max(1, input.length / 7)) {
                try {
                    ResponseParser.Parsed p = parser.parse(input, len);
                    if (p != null) {
                        assertThat(p.consumed()).isBetween(1, len);
                        assertThat(p.response().status()).isBetween(200, 599);
                        assertThat(p.response().body().length).isLessThanOrEqualTo(LIMITS.maxBodyBytes());
                        break;
                    }
                } catch (HttpProtocolException e) {
                    assertThat(e.getMessage()).isNotBlank();
                    break;
                }
            }
        });
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.MIXIN)
    void theConnectionAnswersOrFailsWithinItsLimit(@ForAll("garbled") byte[] input) throws IOException {
        server.then(ScriptedUnixServer.thenClose(ScriptedUnixServer.bytes(input)));
        try (UnixHttpConnection conn = new UnixHttpConnection(server.socket(), LIMITS)) {
            long t0 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
                try {
                    HttpResponse r = conn.exchange(HttpRequest.get("/api/v1/vm.info"), Duration.ofMillis(300));
                    assertThat(r.status()).isBetween(200, 599);
                } catch (HttpProtocolException | ConnectionClosedException | ResponseTimeoutException e) {
                    assertThat(e.getMessage()).isNotBlank();
                }
            });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }
}
