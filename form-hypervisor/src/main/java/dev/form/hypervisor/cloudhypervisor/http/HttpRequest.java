package dev.form.hypervisor.cloudhypervisor.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One request to Cloud Hypervisor's API server. Encoded the way its HTTP layer (micro_http) reads
 * requests: a Content-Length body or none at all, never chunked, and no body header at all on
 * body-less calls (the server answers 400 to a body on vm.boot and friends).
 *
 * @param body null for a request without body
 */
public record HttpRequest(String method, String path, byte[] body) {

    public HttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        if (!method.equals("GET") && !method.equals("PUT"))
            throw new IllegalArgumentException("Cloud Hypervisor serves only GET and PUT, not " + method);
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f))
            throw new IllegalArgumentException("request path must be absolute printable ASCII without spaces: " + path);
    }

    public static HttpRequest get(String path) {
        return new HttpRequest("GET", path, null);
    }

    public static HttpRequest put(String path, byte[] jsonBody) {
        return new HttpRequest("PUT", path, jsonBody);
    }

    /** GET is the only method this API guarantees to be free of side effects, hence retryable. */
    public boolean idempotent() {
        return method.equals("GET");
    }

    /** The exact bytes sent on the wire. */
    public byte[] encode() {
        StringBuilder head = new StringBuilder(128)
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\n")
                .append("Accept: */*\r\n");
        if (body != null) {
            // Exactly "application/json": micro_http ignores any other spelling, with or without charset.
            head.append("Content-Type: application/json\r\n")
                    .append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        if (body == null) return h;
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    @Override
    public String toString() {
        return method + " " + path + (body == null ? "" : " (" + body.length + " bytes)");
    }
}
