package dev.form.testkit.chsim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A response in the exact byte layout of Cloud Hypervisor's HTTP layer (micro_http): a status line with
 * no reason phrase, {@code Server} and {@code Connection: keep-alive} always, and Content-Type plus
 * Content-Length for every status except 204 (which carries neither).
 *
 * @param status          HTTP status code
 * @param body            response body, possibly empty
 * @param server          value of the Server header: "Cloud Hypervisor API" for the API's own answers,
 *                        "Firecracker API" for answers micro_http produces itself (parse errors, 100)
 * @param closesVmm       after writing this response the VMM process goes away (vmm.shutdown)
 */
record HttpResponse(int status, byte[] body, String server, boolean closesVmm) {

    static final String CH_SERVER = "Cloud Hypervisor API";
    static final String MICRO_HTTP_SERVER = "Firecracker API";

    /** micro_http's canned answer to the connection beyond the limit, byte for byte. */
    static final byte[] SERVER_FULL = ("HTTP/1.1 503\r\nServer: Firecracker API\r\nConnection: close\r\n"
            + "Content-Length: 40\r\n\r\n{ \"error\": \"Too many open connections\" }").getBytes(StandardCharsets.US_ASCII);

    /** The interim answer to {@code Expect: 100-continue}. */
    static final byte[] CONTINUE = "HTTP/1.1 100 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    static HttpResponse json(int status, String body) {
        return new HttpResponse(status, body.getBytes(StandardCharsets.UTF_8), CH_SERVER, false);
    }

    static HttpResponse noContent() {
        return new HttpResponse(204, new byte[0], CH_SERVER, false);
    }

    static HttpResponse empty(int status) {
        return new HttpResponse(status, new byte[0], CH_SERVER, false);
    }

    /** The HTTP layer's 400 for a request it could not parse: not JSON (raw newline inside the string). */
    static HttpResponse parseError(String message) {
        String body = "{ \"error\": \"" + message + "\nAll previous unanswered requests will be dropped.\" }";
        return new HttpResponse(400, body.getBytes(StandardCharsets.UTF_8), MICRO_HTTP_SERVER, false);
    }

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + body.length);
        StringBuilder head = new StringBuilder(128);
        head.append("HTTP/1.1 ").append(status).append(" \r\n");
        head.append("Server: ").append(server).append("\r\n");
        head.append("Connection: keep-alive\r\n");
        if (status != 204) {
            head.append("Content-Type: application/json\r\n");
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
        if (status != 204) out.writeBytes(body);
        return out.toByteArray();
    }
}
