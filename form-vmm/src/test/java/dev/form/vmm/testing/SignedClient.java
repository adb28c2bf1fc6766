package dev.form.vmm.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.Json;
import dev.form.core.auth.RequestSigner;
import dev.form.core.auth.SignedHeaders;
import dev.form.core.keys.Credentials;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A test client that signs every request with one key, the way the CLI does, over real HTTP. */
public final class SignedClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final Credentials key;

    public SignedClient(String base, Credentials key) {
        this.base = base;
        this.key = key;
    }

    public Credentials key() {
        return key;
    }

    public String address() {
        return key.address();
    }

    /** One answer: status, content type and body. */
    public record Reply(int status, String contentType, byte[] body, String method, String target) {
        public JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + text(), e);
            }
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String code() {
            return json().path("code").asText(null);
        }

        @Override
        public String toString() {
            return method + " " + target + " -> " + status + " " + text();
        }
    }

    public Reply get(String target) {
        return send("GET", target, null);
    }

    public Reply post(String target, Object body) {
        return send("POST", target, body);
    }

    public Reply put(String target, Object body) {
        return send("PUT", target, body);
    }

    public Reply delete(String target) {
        return send("DELETE", target, null);
    }

    public Reply send(String method, String target, Object body) {
        byte[] bytes = bytes(body);
        return sendSigned(method, target, bytes, RequestSigner.sign(key, method, target, bytes, Duration.ofMinutes(2)));
    }

    public static byte[] bytes(Object body) {
        if (body == null) return new byte[0];
        if (body instanceof byte[] b) return b;
        if (body instanceof String s) return s.getBytes(StandardCharsets.UTF_8);
        try {
            return Json.mapper().writeValueAsBytes(body);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Sends exactly these bytes with exactly these signature headers (null: unsigned). */
    public Reply sendSigned(String method, String target, byte[] body, SignedHeaders headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + target)).timeout(Duration.ofSeconds(60))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body.length > 0) b.header("Content-Type", "application/json");
        if (headers != null) for (Map.Entry<String, String> h : headers.asMap().entrySet()) b.header(h.getKey(), h.getValue());
        try {
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), method, target);
        } catch (IOException e) {
            throw new AssertionError(method + " " + target + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
