package dev.form.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.form.core.api.Json;
import dev.form.core.api.QueuedRequest;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The wire form of a {@link QueuedRequest} (the shared strict JSON) and the structural rules every
 * queued request must meet before anyone tries to apply it. The signature itself is not checked here:
 * that is the service's verifier's job, exactly as for a direct call.
 *
 * <p>The rules, each reported with the field at fault:
 * <ul>
 *   <li>{@code method} is POST, PUT or DELETE (only changes are queued);</li>
 *   <li>{@code target} is a path under {@code /v1/instances/{ref}}. The instance field is not signed, so the
 *       service that applies a request checks that {@code ref} (an id or a name) resolves to that same
 *       instance ({@link #targetInstance}): a message can never be routed to one instance and change another;</li>
 *   <li>{@code nonce} is lower-case hex of 128 to 512 bits (it is the request id);</li>
 *   <li>{@code bodyBase64} is valid base64 (empty for no body); {@code expires} is positive;
 *       {@code signature} is present; {@code address} is the claimed signer (0x + 40 hex), so that the
 *       verifier refuses a message altered on the way as unauthenticated.</li>
 * </ul>
 */
public final class QueuedRequestCodec {
    private static final Set<String> METHODS = Set.of("POST", "PUT", "DELETE");
    private static final Pattern NONCE = Pattern.compile("[0-9a-f]{32,128}");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern INSTANCE_REF = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
    private static final String INSTANCES_PREFIX = "/v1/instances/";
    private static final List<String> FIELDS = List.of("instance", "method", "target", "bodyBase64", "nonce", "expires", "signature", "address");
    private static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private QueuedRequestCodec() {
    }

    public static byte[] encode(QueuedRequest request) {
        try {
            return mapper().writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a QueuedRequest always serializes: " + e.getMessage(), e);
        }
    }

    /** Parses and validates a message's value. */
    public static QueuedRequest decode(byte[] value) {
        if (value == null || value.length == 0) throw new MalformedRequestException(null, "empty message: expected a QueuedRequest JSON object");
        if (value.length > MAX_MESSAGE_BYTES) {
            throw new MalformedRequestException(null, "message of " + value.length + " bytes exceeds the limit of " + MAX_MESSAGE_BYTES);
        }
        JsonNode tree;
        try {
            tree = mapper().readTree(value);
        } catch (IOException e) {
            throw new MalformedRequestException(null, "not a QueuedRequest JSON object: " + firstLine(e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (tree == null || !tree.isObject()) throw new MalformedRequestException(null, "not a QueuedRequest JSON object: expected {...}");
        var names = tree.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!FIELDS.contains(name)) throw new MalformedRequestException(name, "unknown field \"" + name + "\" (expected " + String.join(", ", FIELDS) + ")");
        }
        for (String field : FIELDS) {
            JsonNode f = tree.get(field);
            if (f == null || f.isNull()) throw new MalformedRequestException(field, field + " is required");
            boolean numeric = field.equals("expires");
            if (numeric ? !f.canConvertToLong() || !f.isIntegralNumber() : !f.isTextual()) {
                throw new MalformedRequestException(field, field + " must be " + (numeric ? "an integer (unix seconds)" : "a string"));
            }
        }
        // Every field was just checked for presence and type: build the record from the tree rather than
        // binding it a second time.
        QueuedRequest request = new QueuedRequest(tree.get("instance").textValue(), tree.get("method").textValue(),
                tree.get("target").textValue(), tree.get("bodyBase64").textValue(), tree.get("nonce").textValue(),
                tree.get("expires").longValue(), tree.get("signature").textValue(), tree.get("address").textValue());
        validate(request);
        return request;
    }

    /** Parses and validates a Kafka message: its key must be the request's instance (it decides the partition). */
    public static QueuedRequest decode(byte[] key, byte[] value) {
        QueuedRequest request = decode(value);
        String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (!request.instance().equals(k)) {
            throw new MalformedRequestException("instance", "message key " + (k == null ? "(none)" : "\"" + k + "\"")
                    + " differs from the request's instance \"" + request.instance() + "\": requests must be keyed by instance id");
        }
        return request;
    }

    /** Checks the structural rules listed on the class. */
    public static void validate(QueuedRequest r) {
        if (r.instance() == null || r.instance().isBlank()) throw new MalformedRequestException("instance", "instance is required");
        if (!INSTANCE_REF.matcher(r.instance()).matches()) {
            throw new MalformedRequestException("instance", "instance must be an instance id or name (letters, digits, _ . : -, at most 128), not \"" + r.instance() + "\"");
        }
        if (r.method() == null || !METHODS.contains(r.method())) {
            throw new MalformedRequestException("method", "method must be POST, PUT or DELETE (only changes are queued), not " + quoted(r.method()));
        }
        validateTarget(r);
        if (r.nonce() == null || !NONCE.matcher(r.nonce()).matches()) {
            throw new MalformedRequestException("nonce", "nonce must be lower-case hex of 32 to 128 digits (at least 128 bits), not " + quoted(r.nonce()));
        }
        if (r.expires() <= 0) throw new MalformedRequestException("expires", "expires must be a positive unix time in seconds");
        if (r.signature() == null || r.signature().isBlank()) throw new MalformedRequestException("signature", "signature is required");
        if (r.address() == null || !ADDRESS.matcher(r.address()).matches()) {
            throw new MalformedRequestException("address", "address (the signer's 0x address, 40 hex digits) is required, not " + quoted(r.address())
                    + ": without it a message altered in a queue could not be told from one signed by somebody else");
        }
        body(r);
    }

    /** The exact body bytes that were signed. */
    public static byte[] body(QueuedRequest r) {
        if (r.bodyBase64() == null) throw new MalformedRequestException("bodyBase64", "bodyBase64 is required (an empty string for no body)");
        try {
            return Base64.getDecoder().decode(r.bodyBase64());
        } catch (IllegalArgumentException e) {
            throw new MalformedRequestException("bodyBase64", "bodyBase64 is not valid base64: " + e.getMessage());
        }
    }

    /** The instance reference inside a queued target ({@code /v1/instances/{ref}/...}), percent-decoded. */
    public static String targetInstance(String target) {
        if (target == null || !target.startsWith(INSTANCES_PREFIX)) return null;
        String rest = target.substring(INSTANCES_PREFIX.length());
        int end = rest.length();
        for (char c : new char[]{'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) end = i;
        }
        String ref = rest.substring(0, end);
        if (ref.isEmpty()) return null;
        try {
            return URLDecoder.decode(ref.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void validateTarget(QueuedRequest r) {
        String ref = targetInstance(r.target());
        if (ref == null || ref.equals("adopt")) {
            throw new MalformedRequestException("target", "target must be a path under /v1/instances/{instance} (as signed), not " + quoted(r.target()));
        }
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "\"" + s + "\"";
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static ObjectMapper mapper() {
        return Json.mapper();
    }
}
