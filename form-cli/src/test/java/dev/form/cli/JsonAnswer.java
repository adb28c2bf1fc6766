package dev.form.cli;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Answers an exchange of a test's stand-in service with a JSON body, as the service answers. */
public final class JsonAnswer {
    private JsonAnswer() {
    }

    public static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] answer = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, answer.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(answer);
        }
    }
}
