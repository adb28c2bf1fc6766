package dev.form.hypervisor.cloudhypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.hypervisor.cloudhypervisor.http.HttpResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * The messages of an error response, top to root cause. Cloud Hypervisor (v47+) sends a JSON array
 * of strings; its HTTP layer sends {@code {"error":"<msg>\n..."}} with a raw newline (not valid
 * JSON), and some 400s have an empty body. Every shape becomes a list of readable lines.
 */
public final class ErrorChain {
    private ErrorChain() {
    }

    private static final int MAX_MESSAGES = 32;
    private static final int MAX_CHARS = 2000;

    public static List<String> of(HttpResponse response) {
        String text = response.bodyText().strip();
        if (text.isEmpty()) return List.of("HTTP " + response.status() + " without a body");
        if (text.startsWith("[")) {
            List<String> fromArray = fromJsonArray(text);
            if (fromArray != null) return fromArray;
        }
        if (text.startsWith("{")) {
            String micro = fromHttpLayerError(text);
            if (micro != null) return splitLines(micro);
        }
        return splitLines(text);
    }

    private static List<String> fromJsonArray(String text) {
        try {
            JsonNode node = CloudHypervisorJson.mapper().readTree(text);
            if (node == null || !node.isArray()) return null;
            List<String> out = new ArrayList<>();
            for (JsonNode n : node) {
                if (out.size() == MAX_MESSAGES) break;
                out.add(clip(n.isTextual() ? n.asText() : n.toString()));
            }
            return out.isEmpty() ? List.of("empty error chain") : List.copyOf(out);
        } catch (Exception e) {
            return null;
        }
    }

    /** micro_http's {@code { "error": "..." }}: parsed by hand because the raw newline makes it invalid JSON. */
    private static String fromHttpLayerError(String text) {
        int key = text.indexOf("\"error\"");
        if (key < 0) return null;
        int open = text.indexOf('"', text.indexOf(':', key) + 1);
        int close = text.lastIndexOf('"');
        if (open < 0 || close <= open) return null;
        return text.substring(open + 1, close).replace("\\n", "\n").replace("\\\"", "\"");
    }

    private static List<String> splitLines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String l = line.strip();
            if (!l.isEmpty() && out.size() < MAX_MESSAGES) out.add(clip(l));
        }
        return out.isEmpty() ? List.of("empty error body") : List.copyOf(out);
    }

    private static String clip(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_CHARS));
        for (int i = 0; i < s.length() && b.length() < MAX_CHARS; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }
}
