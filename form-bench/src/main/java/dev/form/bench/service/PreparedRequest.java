package dev.form.bench.service;

import dev.form.core.auth.RequestSigner;
import dev.form.core.auth.SignedHeaders;
import dev.form.core.keys.Credentials;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One signed request, encoded to the exact HTTP/1.1 bytes that go on the wire, so that sending it
 * costs no signing, no JSON and no header building while the clock runs.
 */
record PreparedRequest(String method, String target, byte[] wire) {

    /** Signs with a fresh nonce (the service refuses a nonce it has seen) valid for {@code ttl}. */
    static PreparedRequest sign(Credentials key, String hostPort, String method, String target, byte[] body, Duration ttl) {
        SignedHeaders signed = RequestSigner.sign(key, method, target, body, ttl);
        StringBuilder head = new StringBuilder(512);
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostPort).append("\r\n");
        for (Map.Entry<String, String> h : signed.asMap().entrySet()) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (body.length > 0) head.append("Content-Type: application/json\r\n");
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + body.length);
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return new PreparedRequest(method, target, out.toByteArray());
    }
}
