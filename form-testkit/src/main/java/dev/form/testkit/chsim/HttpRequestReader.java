package dev.form.testkit.chsim;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Incremental request parser with micro_http's rules: methods GET/PUT/PATCH/DELETE only (POST is an
 * error), HTTP/1.0 or 1.1, every line at most 1024 bytes, bodies only by Content-Length (chunked
 * encoding is accepted as a header and not decoded), a body limit, and {@code Expect: 100-continue}.
 * Bytes are fed as they arrive; {@link #next()} yields complete requests one by one (pipelining).
 */
final class HttpRequestReader {
    static final int MAX_LINE = 1024;

    /** What {@link #next()} found in the buffered bytes. */
    sealed interface Step permits Parsed, Failed, NeedMore {
    }

    record Parsed(HttpRequest request) implements Step {
    }

    /** A parse error: micro_http answers 400 and drops everything buffered on the connection. */
    record Failed(String message) implements Step {
    }

    /** @param sendContinue the caller must now write the interim 100 (once per request) */
    record NeedMore(boolean sendContinue) implements Step {
    }

    private final int maxBody;
    private byte[] buf = new byte[8192];
    private int len;
    private boolean continueSent;

    HttpRequestReader(int maxBody) {
        this.maxBody = maxBody;
    }

    void feed(byte[] data, int off, int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        System.arraycopy(data, off, buf, len, n);
        len += n;
    }

    boolean isEmpty() {
        return len == 0;
    }

    /** Drops every buffered byte (after a parse error, micro_http discards the connection's pending input). */
    void discard() {
        len = 0;
        continueSent = false;
    }

    Step next() {
        int pos = 0;
        int lineEnd = findCrlf(0);
        if (lineEnd < 0) {
            return len > MAX_LINE ? new Failed("Invalid request.") : new NeedMore(false);
        }
        if (lineEnd + 2 > MAX_LINE) return new Failed("Invalid request.");
        String requestLine = ascii(0, lineEnd);
        pos = lineEnd + 2;

        List<Map.Entry<String, String>> headers = new ArrayList<>();
        while (true) {
            int end = findCrlf(pos);
            if (end < 0) {
                return len - pos > MAX_LINE ? new Failed("Invalid request.") : new NeedMore(false);
            }
            if (end + 2 - pos > MAX_LINE) return new Failed("Invalid request.");
            if (end == pos) {
                pos += 2;
                break;
            }
            String line = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return new Failed("Invalid header. Reason: Header is incorrectly formatted. Key: " + line);
            }
            headers.add(new AbstractMap.SimpleImmutableEntry<>(line.substring(0, colon).trim(),
                    line.substring(colon + 1).trim()));
            pos = end + 2;
        }

        // micro_http checks the request line only once the header block is complete.
        String[] parts = splitRequestLine(requestLine);
        if (parts == null) return new Failed("Invalid request.");
        String method = parts[0];
        if (!List.of("GET", "PUT", "PATCH", "DELETE").contains(method)) {
            return new Failed("Invalid HTTP Method: Unsupported HTTP method.");
        }
        String target = parts[1];
        if (target.startsWith("http://")) {
            int slash = target.indexOf('/', "http://".length());
            target = slash < 0 ? "/" : target.substring(slash);
        } else if (!target.startsWith("/")) {
            return new Failed("Invalid URI: Unsupported HTTP URI.");
        }
        String version = parts[2];
        if (!version.equals("HTTP/1.0") && !version.equals("HTTP/1.1")) {
            return new Failed("Invalid HTTP Version: Unsupported HTTP version.");
        }

        long contentLength = 0;
        boolean expectContinue = false;
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            String value = h.getValue();
            switch (name) {
                case "content-length" -> {
                    try {
                        contentLength = Long.parseLong(value);
                        if (contentLength < 0) throw new NumberFormatException();
                    } catch (NumberFormatException e) {
                        return new Failed("Invalid header. Reason: Invalid value. Key:Content-Length; Value:" + value);
                    }
                    if (contentLength > maxBody) {
                        return new Failed("Request payload with size " + contentLength + " is larger than the limit of "
                                + maxBody + " allowed by server.");
                    }
                }
                case "expect" -> {
                    if (!value.equalsIgnoreCase("100-continue")) {
                        return new Failed("Invalid header. Reason: Unsupported value. Key:Expect; Value:" + value);
                    }
                    expectContinue = true;
                }
                case "accept-encoding" -> {
                    String v = value.replace(" ", "").toLowerCase(Locale.ROOT);
                    if (v.contains("identity;q=0") && !v.contains("identity;q=0.") || v.contains("*;q=0") && !v.contains("*;q=0.")) {
                        return new Failed("Invalid header. Reason: Unsupported value. Key:Accept-Encoding; Value:" + value);
                    }
                }
                default -> {
                    // Content-Type, Accept, Transfer-Encoding, Host, Connection...: stored and ignored.
                }
            }
        }
        if (len - pos < contentLength) {
            boolean sendContinue = expectContinue && !continueSent;
            if (sendContinue) continueSent = true;
            return new NeedMore(sendContinue);
        }
        byte[] body = Arrays.copyOfRange(buf, pos, pos + (int) contentLength);
        int consumed = pos + (int) contentLength;
        System.arraycopy(buf, consumed, buf, 0, len - consumed);
        len -= consumed;
        continueSent = false;
        return new Parsed(new HttpRequest(method, target, version, List.copyOf(headers), body));
    }

    private static String[] splitRequestLine(String line) {
        int a = line.indexOf(' ');
        if (a <= 0) return null;
        int b = line.indexOf(' ', a + 1);
        if (b < 0 || b == a + 1) return null;
        String version = line.substring(b + 1);
        if (version.isEmpty() || version.contains(" ")) return null;
        return new String[]{line.substring(0, a), line.substring(a + 1, b), version};
    }

    private int findCrlf(int from) {
        for (int i = from; i + 1 < len; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') return i;
        }
        return -1;
    }

    private String ascii(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
