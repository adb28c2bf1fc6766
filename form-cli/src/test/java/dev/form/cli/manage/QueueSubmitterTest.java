package dev.form.cli.manage;

import com.sun.net.httpserver.HttpServer;
import dev.form.cli.JsonAnswer;
import dev.form.cli.config.CliConfig;
import dev.form.cli.http.ServiceClient;
import dev.form.cli.http.ServiceError;
import dev.form.core.api.Json;
import dev.form.core.api.QueuedRequest;
import dev.form.core.auth.RequestVerifier;
import dev.form.core.auth.VerifiedRequest;
import dev.form.core.keys.Credentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code --queue} puts on the wire for the embedded queue, seen by a real HTTP listener: one
 * {@code POST /v1/queue} without Form-* headers of its own, whose body is the request signed exactly as
 * a direct call (the service's own verifier accepts it). The service side is EmbeddedQueueTest's.
 */
class QueueSubmitterTest {
    /** One request as the listener received it. */
    record Received(String method, String path, Map<String, List<String>> headers, byte[] body) {
    }

    private HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private volatile int answerStatus = 202;
    private volatile String answerBody;

    @BeforeEach
    void listen() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(exchange.getRequestHeaders());
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (received) {
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers, body));
            }
            JsonAnswer.send(exchange, answerStatus, answerBody(body));
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** The service's 202 for the request in {@code body}, or the error set by a test. */
    private String answerBody(byte[] body) {
        if (answerBody != null) return answerBody;
        try {
            String nonce = Json.mapper().readTree(body).path("nonce").asText();
            return "{\"requestId\":\"" + nonce + "\",\"state\":\"queued\",\"instance\":\"i_1\"}";
        } catch (IOException e) {
            return "{}";
        }
    }

    private ServiceClient client(Credentials key) {
        return new ServiceClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), () -> key, Duration.ofSeconds(10), null);
    }

    @Test
    void theEmbeddedQueueGetsTheSignedRequestInAnUnsignedPost() throws Exception {
        Credentials key = Credentials.generate(new SecureRandom());
        QueueSubmitter submitter = new QueueSubmitter(client(key), CliConfig.empty());
        byte[] body = "{\"diskId\":\"d1\",\"path\":\"d1.raw\"}".getBytes(StandardCharsets.UTF_8);
        String target = "/v1/instances/web-1/disks";

        String requestId = submitter.submit("web-1", "web-1", "POST", target, body);

        assertThat(received).hasSize(1);
        Received post = received.getFirst();
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.path()).isEqualTo("/v1/queue");
        assertThat(post.headers().keySet()).as("no signature on the POST itself")
                .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("form-"));
        QueuedRequest q = Json.mapper().readValue(post.body(), QueuedRequest.class);
        assertThat(q.instance()).isEqualTo("web-1");
        assertThat(q.method()).isEqualTo("POST");
        assertThat(q.target()).isEqualTo(target);
        assertThat(Base64.getDecoder().decode(q.bodyBase64())).isEqualTo(body);
        assertThat(requestId).isEqualTo(q.nonce());
        VerifiedRequest verified = new RequestVerifier(Clock.systemUTC(), RequestVerifier.QUEUED_MAX_FUTURE_SKEW).verify(q);
        assertThat(verified.address()).isEqualTo(key.address());
        assertThat(verified.expires().getEpochSecond() - System.currentTimeMillis() / 1000)
                .as("a queued request's lifetime").isBetween(ServiceClient.queueTtl().toSeconds() - 60, ServiceClient.queueTtl().toSeconds());
    }

    @Test
    void aRefusalOfTheQueuedRequestReachesTheCallerWithItsReason() {
        answerStatus = 401;
        answerBody = "{\"code\":\"unauthenticated\",\"message\":\"unauthenticated (expired): the queued request's signature: request expired\"}";
        QueueSubmitter submitter = new QueueSubmitter(client(Credentials.generate(new SecureRandom())), CliConfig.empty());
        assertThatThrownBy(() -> submitter.submit("web-1", "web-1", "DELETE", "/v1/instances/web-1/resources/d1", new byte[0]))
                .isInstanceOf(ServiceError.class).hasMessageContaining("expired");
        assertThat(received).hasSize(1);
    }
}
