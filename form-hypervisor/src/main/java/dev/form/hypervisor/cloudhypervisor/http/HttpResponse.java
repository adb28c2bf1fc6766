package dev.form.hypervisor.cloudhypervisor.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A complete response.
 *
 * @param headers header names in lower case; the last value wins for repeated names
 * @param body    empty (never null) when the server sent none
 */
public record HttpResponse(int status, Map<String, String> headers, byte[] body) {

    public HttpResponse {
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** The body decoded as UTF-8 (the API only ever sends JSON or plain text). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public boolean success() {
        return status >= 200 && status < 300;
    }

    /**
     * True for a refusal by the HTTP layer itself (micro_http answers parse errors, such as a body
     * over its limit, as {@code Server: Firecracker API}). It may come before the server has read all
     * of the request, and whatever it left unread would be parsed as the next request.
     */
    public boolean fromHttpLayer() {
        String server = header("server");
        return server != null && server.trim().equals("Firecracker API");
    }

    /** True when the server announced it closes the connection after this response. */
    public boolean closesConnection() {
        String c = header("connection");
        return c != null && c.trim().equalsIgnoreCase("close");
    }
}
