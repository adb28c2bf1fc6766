package dev.form.core.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The signature headers of a direct request (docs/protocol.md, "Headers").
 *
 * @param nonce     lower-case hex, at least 128 bits: the request's id
 * @param expires   unix seconds after which the request is refused
 * @param signature {@code 0x} + 130 hex digits, r‖s‖v
 * @param address   optional: the signer's address as the client claims it. When present the verifier refuses a
 *                  signature that recovers to any other address with {@code bad_signature}, which turns a
 *                  request altered in transit into a clear 401 rather than a request from an unknown address.
 *                  {@code null} when absent.
 */
public record SignedHeaders(String nonce, long expires, String signature, String address) {
    public static final String NONCE = "Form-Nonce";
    public static final String EXPIRES = "Form-Expires";
    public static final String SIGNATURE = "Form-Signature";
    /** Optional; see {@link #address()}. */
    public static final String ADDRESS = "Form-Address";

    /** Headers without a claimed address. */
    public SignedHeaders(String nonce, long expires, String signature) {
        this(nonce, expires, signature, null);
    }

    /** Header name → value, in the documented order; the address only when present. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(NONCE, nonce);
        m.put(EXPIRES, Long.toString(expires));
        m.put(SIGNATURE, signature);
        if (address != null) m.put(ADDRESS, address);
        return m;
    }

    /**
     * Reads the headers through {@code headerLookup} (header name → value or {@code null}; HTTP header names are
     * case-insensitive, so pass a case-insensitive lookup). Surrounding white space is ignored. Only presence and
     * the expiry's number format are checked here; {@link RequestVerifier} checks the rest.
     *
     * @throws AuthenticationException MISSING naming every absent header, or MALFORMED for an expiry that is not
     *                                 a plain decimal number of seconds
     */
    public static SignedHeaders fromMap(Function<String, String> headerLookup) {
        String nonce = lookup(headerLookup, NONCE);
        String expires = lookup(headerLookup, EXPIRES);
        String signature = lookup(headerLookup, SIGNATURE);
        String address = lookup(headerLookup, ADDRESS);
        List<String> missing = new ArrayList<>();
        if (nonce == null) missing.add(NONCE);
        if (expires == null) missing.add(EXPIRES);
        if (signature == null) missing.add(SIGNATURE);
        if (!missing.isEmpty()) {
            throw new AuthenticationException(AuthenticationException.Reason.MISSING,
                    "request is not signed: missing header" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
                            + " (every /v1 route except /v1/health, /v1/openapi.json and POST /v1/queue needs " + NONCE + ", "
                            + EXPIRES + " and " + SIGNATURE + "; see docs/protocol.md)");
        }
        return new SignedHeaders(nonce, parseExpires(expires), signature, address);
    }

    /**
     * Unix seconds as 1 to 18 decimal digits without sign or leading zeros.
     *
     * @throws AuthenticationException MALFORMED
     */
    public static long parseExpires(String value) {
        if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')
                || (value.length() > 1 && value.charAt(0) == '0')) {
            throw new AuthenticationException(AuthenticationException.Reason.MALFORMED,
                    EXPIRES + " must be a unix time in seconds: 1 to 18 decimal digits, no sign, no leading zeros");
        }
        return Long.parseLong(value);
    }

    private static String lookup(Function<String, String> headerLookup, String name) {
        String v;
        try {
            v = headerLookup.apply(name);
        } catch (RuntimeException e) {
            v = null;
        }
        if (v == null) return null;
        v = v.strip();
        return v.isEmpty() ? null : v;
    }
}
