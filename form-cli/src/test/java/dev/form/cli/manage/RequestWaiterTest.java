package dev.form.cli.manage;

import com.sun.net.httpserver.HttpServer;
import dev.form.cli.CliFailure;
import dev.form.cli.JsonAnswer;
import dev.form.cli.http.ServiceClient;
import dev.form.cli.http.ServiceError;
import dev.form.core.api.RequestStatusView;
import dev.form.core.keys.Credentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Waiting for a queued request's outcome: a request just produced to a Kafka topic is unknown to the service
 * until it reads the topic, so its 404 is waited out then; anywhere else a 404 is the answer.
 */
class RequestWaiterTest {
    private static final String UNKNOWN = "{\"code\":\"not_found\",\"message\":\"no request with id r1 on this host\",\"field\":\"requestId\"}";
    private static final String DONE = "{\"requestId\":\"r1\",\"state\":\"done\",\"instance\":\"i_1\",\"method\":\"POST\","
            + "\"target\":\"/v1/instances/i_1/disks\",\"status\":201,\"outcome\":{\"id\":\"d1\"},\"acceptedAt\":\"2026-12-08T00:00:00Z\","
            + "\"finishedAt\":\"2026-12-08T00:00:01Z\"}";

    private HttpServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    /** Fetches answered 404 before the request is known; -1 for never. */
    private volatile int unknownFor;

    @BeforeEach
    void listen() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/requests/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            int n = fetches.incrementAndGet();
            boolean unknown = unknownFor < 0 || n <= unknownFor;
            JsonAnswer.send(exchange, unknown ? 404 : 200, unknown ? UNKNOWN : DONE);
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private RequestWaiter waiter() {
        Credentials key = Credentials.generate(new SecureRandom());
        return new RequestWaiter(new ServiceClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), () -> key,
                Duration.ofSeconds(10), null));
    }

    @Test
    void aRequestTheServiceHasNotReadFromKafkaYetIsWaitedFor() {
        unknownFor = 3;
        RequestStatusView view = waiter().await("r1", Duration.ofSeconds(30), true);
        assertThat(view.state()).isEqualTo("done");
        assertThat(view.status()).isEqualTo(201);
        assertThat(fetches.get()).isEqualTo(4);
    }

    @Test
    void elsewhereAnUnknownRequestIsNotFoundAtOnce() {
        unknownFor = 3;
        assertThatThrownBy(() -> waiter().await("r1", Duration.ofSeconds(30), false))
                .isInstanceOfSatisfying(ServiceError.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.exitCode()).isEqualTo(4);
                });
        assertThat(fetches.get()).isEqualTo(1);
    }

    @Test
    void aRequestTheServiceNeverSeesEndsWithATimeoutThatSaysSo() {
        unknownFor = -1;
        assertThatThrownBy(() -> waiter().await("r1", Duration.ofMillis(300), true))
                .isInstanceOfSatisfying(CliFailure.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(7);
                    assertThat(e.getMessage()).contains("has not seen request r1");
                });
        assertThat(fetches.get()).isGreaterThan(1);
    }
}
