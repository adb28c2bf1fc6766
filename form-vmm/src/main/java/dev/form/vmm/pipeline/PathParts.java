package dev.form.vmm.pipeline;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Splits a raw request target into decoded path segments and query parameters. */
final class PathParts {
    private PathParts() {
    }

    static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    static String pathOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    static List<String> decodedSegments(String target) {
        List<String> raw = split(pathOf(target));
        List<String> out = new ArrayList<>(raw.size());
        for (String s : raw) out.add(decode(s));
        return out;
    }

    /** Query parameters, the first value of each name winning. */
    static Map<String, String> query(String target) {
        int q = target.indexOf('?');
        if (q < 0) return Collections.emptyMap();
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : target.substring(q + 1).split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.putIfAbsent(k, v);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
