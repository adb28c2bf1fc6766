package dev.form.testkit.chsim;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;

/**
 * Reads one JSON object the way serde's derived Deserialize does for Cloud Hypervisor's config structs:
 * unknown fields ignored (unless deny_unknown_fields), {@code null} means None for Option fields,
 * strict types, integers range-checked, and serde_json's wording for every refusal.
 */
final class SerdeStruct {
    private final LocatedJson doc;
    private final String ptr;
    private final JsonNode node;

    private SerdeStruct(LocatedJson doc, String ptr, JsonNode node) {
        this.doc = doc;
        this.ptr = ptr;
        this.node = node;
    }

    /** The object at {@code ptr}; anything else is "invalid type: ..., expected struct Name". */
    static SerdeStruct at(LocatedJson doc, String ptr, JsonNode node, String structName) throws DeserializeException {
        if (!node.isObject()) {
            throw new DeserializeException("invalid type: " + describe(node) + ", expected struct " + structName + doc.at(ptr));
        }
        return new SerdeStruct(doc, ptr, node);
    }

    LocatedJson doc() {
        return doc;
    }

    /** serde's deny_unknown_fields. */
    void denyUnknown(List<String> known) throws DeserializeException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new DeserializeException("unknown field `" + f + "`, expected " + oneOf(known) + doc.at(ptr + "/" + f));
            }
        }
    }

    boolean present(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    JsonNode raw(String field) {
        return node.get(field);
    }

    String child(String field) {
        return ptr + "/" + field;
    }

    boolean bool(String field, boolean dflt) throws DeserializeException {
        JsonNode v = node.get(field);
        if (v == null) return dflt;
        if (!v.isBoolean()) throw invalidType(v, "a boolean", child(field));
        return v.booleanValue();
    }

    /** Option&lt;bool&gt;: null when absent or null. */
    Boolean optBool(String field) throws DeserializeException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isBoolean()) throw invalidType(v, "a boolean", child(field));
        return v.booleanValue();
    }

    String string(String field) throws DeserializeException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw invalidType(v, "a string", child(field));
        return v.textValue();
    }

    String requiredString(String field) throws DeserializeException {
        JsonNode v = node.get(field);
        if (v == null) throw missing(field);
        if (!v.isTextual()) throw invalidType(v, "a string", child(field));
        return v.textValue();
    }

    /** An unsigned integer field of Rust type {@code type} (u8, u16, u32, u64, usize); null when absent. */
    Long unsigned(String field, String type) throws DeserializeException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        return unsignedValue(doc, child(field), v, type);
    }

    long unsigned(String field, String type, long dflt) throws DeserializeException {
        JsonNode v = node.get(field);
        if (v == null) return dflt;
        if (v.isNull()) throw invalidType(v, type, child(field));
        return unsignedValue(doc, child(field), v, type);
    }

    long requiredUnsigned(String field, String type) throws DeserializeException {
        JsonNode v = node.get(field);
        if (v == null) throw missing(field);
        return unsignedValue(doc, child(field), v, type);
    }

    static long unsignedValue(LocatedJson doc, String ptr, JsonNode v, String type) throws DeserializeException {
        if (!v.isIntegralNumber()) throw new DeserializeException("invalid type: " + describe(v) + ", expected " + type + doc.at(ptr));
        BigInteger b = v.bigIntegerValue();
        BigInteger max = switch (type) {
            case "u8" -> BigInteger.valueOf(255);
            case "u16" -> BigInteger.valueOf(65535);
            case "u32" -> BigInteger.valueOf(4294967295L);
            default -> BigInteger.valueOf(Long.MAX_VALUE);
        };
        if (b.signum() < 0 || b.compareTo(max) > 0) {
            throw new DeserializeException("invalid value: integer `" + b + "`, expected " + type + doc.at(ptr));
        }
        return b.longValue();
    }

    /** A unit-variant enum field; null when absent or null. */
    String enumValue(String field, List<String> variants) throws DeserializeException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            throw new DeserializeException("invalid type: " + describe(v) + ", expected enum" + doc.at(child(field)));
        }
        if (!variants.contains(v.textValue())) {
            throw new DeserializeException("unknown variant `" + v.textValue() + "`, expected " + oneOf(variants) + doc.at(child(field)));
        }
        return v.textValue();
    }

    /** A sequence field; null when absent or null. */
    JsonNode array(String field) throws DeserializeException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isArray()) throw invalidType(v, "a sequence", child(field));
        return v;
    }

    DeserializeException missing(String field) {
        return new DeserializeException("missing field `" + field + "`" + doc.at(ptr));
    }

    DeserializeException invalidType(JsonNode v, String expected, String at) {
        return new DeserializeException("invalid type: " + describe(v) + ", expected " + expected + doc.at(at));
    }

    static String describe(JsonNode v) {
        if (v == null || v.isNull()) return "null";
        if (v.isTextual()) return "string \"" + v.textValue() + "\"";
        if (v.isBoolean()) return "boolean `" + v.booleanValue() + "`";
        if (v.isIntegralNumber()) return "integer `" + v.bigIntegerValue() + "`";
        if (v.isNumber()) return "floating point `" + v.doubleValue() + "`";
        if (v.isArray()) return "sequence";
        return "map";
    }

    static String oneOf(List<String> names) {
        if (names.size() == 1) return "`" + names.get(0) + "`";
        if (names.size() == 2) return "`" + names.get(0) + "` or `" + names.get(1) + "`";
        StringBuilder sb = new StringBuilder("one of ");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append('`').append(names.get(i)).append('`');
        }
        return sb.toString();
    }
}
