package dev.form.hypervisor.cloudhypervisor.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses one HTTP/1.x response out of the bytes received so far. Pure (no I/O), so it can be fed
 * arbitrary bytes in tests.
 *
 * <p>Accepts what Cloud Hypervisor's server sends: a status line whose reason phrase is missing
 * ({@code "HTTP/1.1 204 "}), 204 without Content-Length, error bodies that are not JSON. Rejects
 * what this client cannot read safely: chunked or otherwise transfer-encoded bodies, bodies or
 * headers beyond the limits, conflicting lengths. A response without Content-Length has an empty
 * body: the server never delimits a body by closing the connection.
 */
public final class ResponseParser {

    /** A parsed response and how many bytes of the input it used. */
    public record Parsed(HttpResponse response, int consumed) {
    }

    private static final int MAX_INFORMATIONAL = 8;

    private final ResponseLimits limits;

    public ResponseParser(ResponseLimits limits) {
        this.limits = limits;
    }

    /**
     * @return the response, or null when {@code buf[0..len)} does not hold a complete one yet
     * @throws HttpProtocolException when the bytes can never become an acceptable response
     */
    public Parsed parse(byte[] buf, int len) throws HttpProtocolException {
        int offset = 0;
        for (int informational = 0; ; informational++) {
            Parsed p = parseOne(buf, offset, len);
            if (p == null) return null;
            int status = p.response().status();
            if (status >= 200) return new Parsed(p.response(), p.consumed());
            // 1xx (e.g. "HTTP/1.1 100" after Expect): skip and read the final response behind it.
            if (informational >= MAX_INFORMATIONAL)
                throw new HttpProtocolException("more than " + MAX_INFORMATIONAL + " informational (1xx) responses in a row");
            offset = p.consumed();
        }
    }

    private Parsed parseOne(byte[] buf, int start, int len) throws HttpProtocolException {
        int headEnd = indexOfBlankLine(buf, start, len);
        if (headEnd < 0) {
            if (len - start > limits.maxHeaderBytes())
                throw new HttpProtocolException("response headers exceed " + limits.maxHeaderBytes() + " bytes");
            checkPrefix(buf, start, len);
            return null;
        }
        int headLen = headEnd - start;
        if (headLen + 4 > limits.maxHeaderBytes())
            throw new HttpProtocolException("response headers exceed " + limits.maxHeaderBytes() + " bytes");
        String head = new String(buf, start, headLen, StandardCharsets.ISO_8859_1);
        int lineEnd = head.indexOf("\r\n");
        int status = parseStatusLine(lineEnd < 0 ? head : head.substring(0, lineEnd));
        Map<String, String> headers = new HashMap<>();
        long contentLength = -1;
        while (lineEnd >= 0) {
            int from = lineEnd + 2;
            lineEnd = head.indexOf("\r\n", from);
            String line = lineEnd < 0 ? head.substring(from) : head.substring(from, lineEnd);
            int colon = line.indexOf(':');
            if (colon <= 0) throw new HttpProtocolException("malformed header line: " + printable(line));
            String name = line.substring(0, colon);
            if (!isToken(name)) throw new HttpProtocolException("malformed header name: " + printable(name));
            String value = line.substring(colon + 1).strip();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) throw new HttpProtocolException("control character in header " + name);
            }
            String key = name.toLowerCase(Locale.ROOT);
            if (key.equals("content-length")) {
                long cl = parseContentLength(value);
                if (contentLength >= 0 && cl != contentLength)
                    throw new HttpProtocolException("conflicting Content-Length headers: " + contentLength + " and " + cl);
                contentLength = cl;
            } else if (key.equals("transfer-encoding") && !value.equalsIgnoreCase("identity")) {
                throw new HttpProtocolException("transfer-encoded responses (" + printable(value) + ") are not supported");
            }
            headers.put(key, value);
        }
        int bodyStart = headEnd + 4;
        boolean bodiless = status < 200 || status == 204 || status == 304;
        if (bodiless || contentLength <= 0) {
            return new Parsed(new HttpResponse(status, headers, new byte[0]), bodyStart);
        }
        if (contentLength > limits.maxBodyBytes())
            throw new HttpProtocolException("response body of " + contentLength + " bytes exceeds the limit of " + limits.maxBodyBytes());
        if (len - bodyStart < contentLength) return null;
        int end = bodyStart + (int) contentLength;
        return new Parsed(new HttpResponse(status, headers, Arrays.copyOfRange(buf, bodyStart, end)), end);
    }

    /** Fails early on bytes that cannot start a response, instead of waiting for a blank line. */
    private static void checkPrefix(byte[] buf, int start, int len) throws HttpProtocolException {
        byte[] expected = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(expected.length, len - start);
        for (int i = 0; i < n; i++) {
            if (buf[start + i] != expected[i])
                throw new HttpProtocolException("not an HTTP/1.x response: starts with "
                        + printable(new String(buf, start, Math.min(len - start, 32), StandardCharsets.ISO_8859_1)));
        }
    }

    private static int parseStatusLine(String line) throws HttpProtocolException {
        // "HTTP/1.1 200 OK", "HTTP/1.1 200 " (Cloud Hypervisor: no reason phrase) or "HTTP/1.1 200".
        if (!(line.startsWith("HTTP/1.1 ") || line.startsWith("HTTP/1.0 ")) || line.length() < 12)
            throw new HttpProtocolException("malformed status line: " + printable(line));
        String code = line.substring(9, 12);
        if (!code.chars().allMatch(c -> c >= '0' && c <= '9'))
            throw new HttpProtocolException("malformed status code in: " + printable(line));
        if (line.length() > 12 && line.charAt(12) != ' ')
            throw new HttpProtocolException("malformed status line: " + printable(line));
        int status = Integer.parseInt(code);
        if (status < 100 || status > 599) throw new HttpProtocolException("status code out of range: " + status);
        return status;
    }

    private static long parseContentLength(String value) throws HttpProtocolException {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9'))
            throw new HttpProtocolException("malformed Content-Length: " + printable(value));
        return Long.parseLong(value);
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
            if (!ok) return false;
        }
        return !s.isEmpty();
    }

    private static int indexOfBlankLine(byte[] b, int start, int len) {
        for (int i = start; i + 3 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return i;
        }
        return -1;
    }

    /** Makes peer-controlled text safe to put into an error message. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 80; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) out.append(c);
            else out.append(String.format("\\x%02x", (int) c & 0xff));
        }
        return "'" + out + "'";
    }
}
