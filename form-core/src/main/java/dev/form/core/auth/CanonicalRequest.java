package dev.form.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The exact text that a form request signature covers (docs/protocol.md, "Canonical text"). Six lines
 * joined by a single LF (0x0A), no trailing newline, pure ASCII:
 * <pre>
 * form-request v1
 * method: POST
 * target: /v1/instances/web-1/disks?x=1
 * body-sha256: e3b0c442...
 * nonce: 9f86d081884c7d659a2feaa0c55ad015
 * expires: 1764130000
 * </pre>
 * Every field is validated so that none can contain a line break or otherwise spill into another line:
 * the text is unambiguous.
 */
public record CanonicalRequest(String method, String target, String bodySha256, String nonce, long expires) {
    /** The first line: protocol tag and version. */
    public static final String TAG_LINE = "form-request v1";

    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    /** Origin-form request target: '/' then visible ASCII only (no space, no control, no non-ASCII), as HTTP sends it. */
    private static final Pattern TARGET = Pattern.compile("/[\\x21-\\x7E]{0,8191}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** At least 128 bits of lower-case hex, at most 512. */
    public static final Pattern NONCE = Pattern.compile("[0-9a-f]{32,128}");

    private static final HexFormat HEX = HexFormat.of();

    /**
     * @throws IllegalArgumentException naming the field and the rule it breaks
     */
    public CanonicalRequest {
        requireValid(method, target, bodySha256, nonce, expires);
    }

    /** The canonical request for the exact body bytes ({@code null} or empty: the hash of zero bytes). */
    public static CanonicalRequest of(String method, String target, byte[] body, String nonce, long expires) {
        return new CanonicalRequest(method, target, sha256Hex(body), nonce, expires);
    }

    /** The text, as documented. */
    public String text() {
        return TAG_LINE + '\n'
                + "method: " + method + '\n'
                + "target: " + target + '\n'
                + "body-sha256: " + bodySha256 + '\n'
                + "nonce: " + nonce + '\n'
                + "expires: " + expires;
    }

    /** The text's UTF-8 bytes (all ASCII): the message that is personal_signed. */
    public byte[] bytes() {
        return text().getBytes(StandardCharsets.US_ASCII);
    }

    /** Lower-case hex SHA-256 of the bytes; {@code null} counts as empty. */
    public static String sha256Hex(byte[] body) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HEX.formatHex(md.digest(body == null ? new byte[0] : body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }

    /** Null when valid, else the rule that is broken. */
    private static String problem(String method, String target, String bodySha256, String nonce, long expires) {
        if (method == null || !METHOD.matcher(method).matches()) {
            return "the HTTP method must be 1 to 16 upper-case letters";
        }
        if (target == null || !TARGET.matcher(target).matches()) {
            return "the request target must start with '/' and contain only visible ASCII characters (at most 8192)";
        }
        if (bodySha256 == null || !SHA256_HEX.matcher(bodySha256).matches()) {
            return "the body hash must be 64 lower-case hex digits";
        }
        if (nonce == null || !NONCE.matcher(nonce).matches()) {
            return "the nonce must be 32 to 128 lower-case hex digits (at least 128 bits)";
        }
        if (expires < 0) {
            return "the expiry must be a non-negative number of unix seconds";
        }
        return null;
    }

    private static void requireValid(String method, String target, String bodySha256, String nonce, long expires) {
        String problem = problem(method, target, bodySha256, nonce, expires);
        if (problem != null) throw new IllegalArgumentException(problem);
    }
}
