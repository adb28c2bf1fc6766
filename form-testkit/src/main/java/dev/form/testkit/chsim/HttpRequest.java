package dev.form.testkit.chsim;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request as micro_http hands it to Cloud Hypervisor: method, the path (absolute-form URIs already
 * reduced to their path, query string kept), the headers as received and the body (Content-Length bytes).
 */
record HttpRequest(String method, String target, String httpVersion, List<Map.Entry<String, String>> headers,
                   byte[] body) {

    String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) return h.getValue();
        }
        return null;
    }

    boolean hasBody() {
        return body.length > 0;
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
