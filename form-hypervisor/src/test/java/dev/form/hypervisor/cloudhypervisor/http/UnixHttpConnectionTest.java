package dev.form.hypervisor.cloudhypervisor.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static dev.form.hypervisor.cloudhypervisor.http.ScriptedUnixServer.bytes;
import static dev.form.hypervisor.cloudhypervisor.http.ScriptedUnixServer.closeWithoutAnswer;
import static dev.form.hypervisor.cloudhypervisor.http.ScriptedUnixServer.stall;
import static dev.form.hypervisor.cloudhypervisor.http.ScriptedUnixServer.thenClose;
import static dev.form.hypervisor.cloudhypervisor.http.ScriptedUnixServer.trickle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The codec against a server whose bytes the test scripts, including Cloud Hypervisor's exact quirks. */
class UnixHttpConnectionTest {

    private static final Duration T = Duration.ofSeconds(5);
    private static final String NO_CONTENT = "HTTP/1.1 204 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n\r\n";
    private static final String ADDED = "HTTP/1.1 200 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n"
            + "Content-Type: application/json\r\nContent-Length: 36\r\n\r\n{\"id\":\"_disk3\",\"bdf\":\"0000:00:05.0\"}";

    @TempDir
    Path dir;
    ScriptedUnixServer server;
    UnixHttpConnection conn;

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedUnixServer(dir);
        conn = new UnixHttpConnection(server.socket(), new ResponseLimits(1024, 4096));
    }

    @AfterEach
    void stop() throws IOException {
        conn.close();
        server.close();
    }

    @Test
    void sendsExactlyTheBytesTheServerExpects() throws IOException {
        server.then(bytes(ADDED)).then(bytes(NO_CONTENT));
        conn.exchange(HttpRequest.put("/api/v1/vm.add-disk", "{\"id\":\"d\"}".getBytes(StandardCharsets.UTF_8)), T);
        conn.exchange(HttpRequest.get("/api/v1/vm.info"), T);
        assertThat(server.requests()).containsExactly(
                "PUT /api/v1/vm.add-disk HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 10\r\n\r\n{\"id\":\"d\"}",
                "GET /api/v1/vm.info HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n");
    }

    @Test
    void readsAResponseWithoutReasonPhraseAndReusesTheConnection() throws IOException {
        server.then(bytes(ADDED)).then(bytes(NO_CONTENT)).then(bytes(ADDED));
        HttpResponse first = conn.exchange(HttpRequest.put("/api/v1/vm.add-disk", new byte[]{'{', '}'}), T);
        HttpResponse second = conn.exchange(HttpRequest.put("/api/v1/vm.boot", null), T);
        HttpResponse third = conn.exchange(HttpRequest.get("/api/v1/vm.info"), T);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.bodyText()).isEqualTo("{\"id\":\"_disk3\",\"bdf\":\"0000:00:05.0\"}");
        assertThat(first.header("Content-Type")).isEqualTo("application/json");
        assertThat(second.status()).isEqualTo(204);
        assertThat(second.body()).isEmpty();
        assertThat(third.status()).isEqualTo(200);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void acceptsAStatusLineWithoutTrailingSpaceAndAFullReasonPhrase() throws IOException {
        server.then(bytes("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n{}")).then(bytes("HTTP/1.0 404 Not Found\r\nContent-Length: 13\r\n\r\n[\"Not Found\"]"));
        assertThat(conn.exchange(HttpRequest.get("/a"), T).bodyText()).isEqualTo("{}");
        HttpResponse notFound = conn.exchange(HttpRequest.get("/b"), T);
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.bodyText()).isEqualTo("[\"Not Found\"]");
    }

    @Test
    void readsAResponseArrivingOneByteAtATime() throws IOException {
        server.then(trickle(ADDED));
        HttpResponse r = conn.exchange(HttpRequest.get("/api/v1/vm.info"), T);
        assertThat(r.bodyText()).contains("_disk3");
    }

    @Test
    void skipsAnInformationalResponse() throws IOException {
        server.then(bytes("HTTP/1.1 100 \r\n\r\n" + NO_CONTENT));
        assertThat(conn.exchange(HttpRequest.put("/api/v1/vm.boot", null), T).status()).isEqualTo(204);
    }

    @Test
    void keepsTheNonJsonBodyOfAnHttpLayerError() throws IOException {
        String body = "{ \"error\": \"Invalid HTTP method.\nAll previous unanswered requests will be dropped.\" }";
        server.then(bytes("HTTP/1.1 400 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body));
        HttpResponse r = conn.exchange(HttpRequest.get("/x"), T);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.bodyText()).isEqualTo(body);
        // the HTTP layer may have refused before reading all of the request: never reuse that stream
        assertThat(r.fromHttpLayer()).isTrue();
        assertThat(conn.connected()).isFalse();
    }

    @Test
    void refusesChunkedResponses() {
        server.then(bytes("HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
        assertThatThrownBy(() -> conn.exchange(HttpRequest.get("/x"), T))
                .isInstanceOf(HttpProtocolException.class).hasMessageContaining("chunked");
        assertThat(conn.connected()).isFalse();
    }

    @Test
    void refusesABodyBeyondTheLimitWithoutReadingIt() {
        server.then(bytes("HTTP/1.1 200 \r\nContent-Length: 999999\r\n\r\n"));
        assertThatThrownBy(() -> conn.exchange(HttpRequest.get("/x"), T))
                .isInstanceOf(HttpProtocolException.class).hasMessageContaining("exceeds the limit of 4096");
    }

    @Test
    void refusesHeadersBeyondTheLimit() {
        server.then(bytes("HTTP/1.1 200 \r\nX-Big: " + "a".repeat(2000) + "\r\n\r\n"));
        assertThatThrownBy(() -> conn.exchange(HttpRequest.get("/x"), T))
                .isInstanceOf(HttpProtocolException.class).hasMessageContaining("headers exceed 1024 bytes");
    }

    @Test
    void timesOutOnASilentServerWithinItsLimit() {
        server.then(stall(3000));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> conn.exchange(HttpRequest.get("/api/v1/vm.info"), Duration.ofMillis(200)))
                .isInstanceOf(ResponseTimeoutException.class).hasMessageContaining("within 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(conn.connected()).isFalse();
    }

    @Test
    void retriesAGetOnceWhenTheReusedConnectionBreaks() throws IOException {
        server.then(bytes(NO_CONTENT)).then(closeWithoutAnswer()).then(bytes(ADDED));
        conn.exchange(HttpRequest.put("/api/v1/vm.boot", null), T);
        HttpResponse r = conn.exchange(HttpRequest.get("/api/v1/vm.info"), T);
        assertThat(r.status()).isEqualTo(200);
        assertThat(server.connectionsAccepted()).isEqualTo(2);
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void neverResendsAPutWhoseConnectionBroke() throws IOException {
        server.then(bytes(NO_CONTENT)).then(closeWithoutAnswer()).then(bytes(ADDED));
        conn.exchange(HttpRequest.put("/api/v1/vm.boot", null), T);
        assertThatThrownBy(() -> conn.exchange(HttpRequest.put("/api/v1/vm.add-disk", new byte[]{'{', '}'}), T))
                .isInstanceOf(ConnectionClosedException.class);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void reconnectsBeforeSendingWhenTheServerClosedAnIdleConnection() throws Exception {
        server.then(thenClose(bytes(NO_CONTENT))).then(bytes(ADDED));
        conn.exchange(HttpRequest.put("/api/v1/vm.boot", null), T);
        Thread.sleep(50);
        HttpResponse r = conn.exchange(HttpRequest.put("/api/v1/vm.add-disk", new byte[]{'{', '}'}), T);
        assertThat(r.status()).isEqualTo(200);
        assertThat(server.connectionsAccepted()).isEqualTo(2);
    }

    @Test
    void dropsTheConnectionAfterConnectionCloseOrStrayBytes() throws IOException {
        String busy = "HTTP/1.1 503 \r\nConnection: close\r\nContent-Length: 38\r\n\r\n{ \"error\": \"Too many open connections\" }";
        server.then(bytes(busy.replace("38", String.valueOf("{ \"error\": \"Too many open connections\" }".length()))))
                .then(bytes(NO_CONTENT + "garbage")).then(bytes(NO_CONTENT));
        assertThat(conn.exchange(HttpRequest.get("/a"), T).status()).isEqualTo(503);
        assertThat(conn.connected()).isFalse();
        assertThat(conn.exchange(HttpRequest.get("/b"), T).status()).isEqualTo(204);
        assertThat(conn.connected()).isFalse();
        assertThat(conn.exchange(HttpRequest.get("/c"), T).status()).isEqualTo(204);
        assertThat(server.connectionsAccepted()).isEqualTo(3);
    }

    @Test
    void readsAnAnswerThatArrivesBeforeTheWholeRequestWasSent() throws IOException {
        try (EarlyRefusal early = new EarlyRefusal(dir); UnixHttpConnection c = new UnixHttpConnection(early.socket)) {
            long t0 = System.nanoTime();
            HttpResponse r = c.exchange(HttpRequest.put("/api/v1/vm.create", new byte[8 * 1024 * 1024]), Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("too large");
            assertThat(c.connected()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
    }

    /** Answers 400 as soon as the request headers are in, then stops reading, as micro_http does for an oversized body. */
    private static final class EarlyRefusal implements AutoCloseable {
        final Path socket;
        final java.nio.channels.ServerSocketChannel server;

        EarlyRefusal(Path dir) throws IOException {
            socket = dir.resolve("early.sock");
            server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            Thread.ofVirtual().start(() -> {
                try (var ch = server.accept()) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4096);
                    ch.read(b);
                    String body = "{ \"error\": \"Request payload is too large.\nAll previous unanswered requests will be dropped.\" }";
                    ch.write(java.nio.ByteBuffer.wrap(("HTTP/1.1 400 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8)));
                    Thread.sleep(5000);
                } catch (Exception e) {
                    // test over
                }
            });
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void reportsAMissingSocketAsAnIoError() {
        UnixHttpConnection nowhere = new UnixHttpConnection(dir.resolve("absent.sock"));
        assertThatThrownBy(() -> nowhere.exchange(HttpRequest.get("/api/v1/vmm.ping"), T))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot connect to");
    }

    @Test
    void reportsAConnectionClosedMidResponse() {
        server.then(thenClose(bytes("HTTP/1.1 200 \r\nContent-Length: 50\r\n\r\n{\"id\"")));
        assertThatThrownBy(() -> conn.exchange(HttpRequest.get("/x"), T))
                .isInstanceOf(HttpProtocolException.class).hasMessageContaining("incomplete response");
    }
}
