package dev.form.cli.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads one JSON document (RFC 8259, as strictly as Jackson's default parser: no comments, no trailing commas,
 * no leading zeros, only the standard escapes, nothing after the value) into Jackson's tree model.
 *
 * <p>Why not Jackson's own parser: every Jackson parser class initialises {@code java.math.BigDecimal}, whose
 * JDK 25 class initialiser computes 5^65536 — 8 to 15 ms of the CLI's start-up, measured, before the first
 * token of a twenty-field answer. The trees are Jackson's, and StreamingJsonTest checks that they equal
 * {@code Json.mapper().readTree} on random documents (number types included) and that the same inputs fail.
 */
final class JsonTreeReader {
    /** Jackson's default nesting limit (StreamReadConstraints). */
    private static final int MAX_DEPTH = 1000;

    private final String text;
    private int pos;

    private JsonTreeReader(String text) {
        this.text = text;
    }

    /** The document's tree; a missing node for an empty document (as {@code readTree} answers). */
    static JsonNode read(byte[] utf8) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new Failure("invalid UTF-8 in the JSON document", 0);
        }
        JsonTreeReader reader = new JsonTreeReader(text);
        if (reader.text.startsWith("\uFEFF")) reader.pos = 1;
        reader.skipWhitespace();
        if (reader.pos == reader.text.length()) return JsonNodeFactory.instance.missingNode();
        JsonNode root = reader.value(0);
        reader.skipWhitespace();
        if (reader.pos != reader.text.length()) throw reader.failure("trailing content after the JSON value");
        return root;
    }

    private JsonNode value(int depth) throws Failure {
        if (depth > MAX_DEPTH) throw failure("JSON nested deeper than " + MAX_DEPTH + " levels");
        if (pos >= text.length()) throw failure("unexpected end of the JSON document");
        char c = text.charAt(pos);
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> f.textNode(string());
            case 't' -> literal("true", f.booleanNode(true));
            case 'f' -> literal("false", f.booleanNode(false));
            case 'n' -> literal("null", f.nullNode());
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw failure("unexpected character '" + c + "'");
            }
        };
    }

    private ObjectNode object(int depth) throws Failure {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        pos++;
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return object;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw failure("expected a field name in double quotes");
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            object.set(name, value(depth + 1)); // a repeated name: the later value wins, in the first one's place
            skipWhitespace();
            char next = peek();
            pos++;
            if (next == '}') return object;
            if (next != ',') throw failure("expected ',' or '}' in an object", pos - 1);
        }
    }

    private ArrayNode array(int depth) throws Failure {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        pos++;
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return array;
        }
        while (true) {
            skipWhitespace();
            array.add(value(depth + 1));
            skipWhitespace();
            char next = peek();
            pos++;
            if (next == ']') return array;
            if (next != ',') throw failure("expected ',' or ']' in an array", pos - 1);
        }
    }

    private String string() throws Failure {
        pos++; // the opening quote
        StringBuilder out = null;
        int start = pos;
        while (true) {
            if (pos >= text.length()) throw failure("unterminated string");
            char c = text.charAt(pos);
            if (c == '"') {
                String s = out == null ? text.substring(start, pos) : out.append(text, start, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) throw failure("unescaped control character in a string");
            if (c != '\\') {
                pos++;
                continue;
            }
            if (out == null) out = new StringBuilder();
            out.append(text, start, pos);
            if (pos + 1 >= text.length()) throw failure("unterminated escape");
            char e = text.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) throw failure("incomplete \\u escape");
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(pos + i), 16);
                        if (digit < 0) throw failure("invalid \\u escape", pos + i);
                        code = code * 16 + digit;
                    }
                    pos += 4;
                    out.append((char) code);
                }
                default -> throw failure("invalid escape '\\" + e + "'", pos - 1);
            }
            start = pos;
        }
    }

    private JsonNode number() throws Failure {
        int start = pos;
        if (peek() == '-') pos++;
        if (pos >= text.length() || !isDigit(text.charAt(pos))) throw failure("a number needs digits");
        if (text.charAt(pos) == '0') {
            pos++;
            if (pos < text.length() && isDigit(text.charAt(pos))) throw failure("leading zeros are not allowed");
        } else {
            while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        }
        boolean integral = true;
        if (pos < text.length() && text.charAt(pos) == '.') {
            integral = false;
            pos++;
            if (pos >= text.length() || !isDigit(text.charAt(pos))) throw failure("a decimal point needs digits after it");
            while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) pos++;
            if (pos >= text.length() || !isDigit(text.charAt(pos))) throw failure("an exponent needs digits");
            while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        }
        String digits = text.substring(start, pos);
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (!integral) return f.numberNode(Double.parseDouble(digits));
        // As Jackson types integers: int when it fits, else long, else BigInteger.
        if (digits.length() <= 18) {
            long v = Long.parseLong(digits);
            return v == (int) v ? f.numberNode((int) v) : f.numberNode(v);
        }
        BigInteger big = new BigInteger(digits);
        return big.bitLength() <= 63 ? f.numberNode(big.longValue()) : f.numberNode(big);
    }

    private JsonNode literal(String word, JsonNode node) throws Failure {
        if (!text.startsWith(word, pos)) throw failure("unrecognized token (expected " + word + ")");
        pos += word.length();
        // "truex" is one bad token to Jackson, not true followed by garbage
        if (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) throw failure("unrecognized token");
        return node;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private char peek() throws Failure {
        if (pos >= text.length()) throw failure("unexpected end of the JSON document");
        return text.charAt(pos);
    }

    private void expect(char c) throws Failure {
        if (peek() != c) throw failure("expected '" + c + "'");
        pos++;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Failure failure(String message) {
        return failure(message, pos);
    }

    private Failure failure(String message, int at) {
        return new Failure(message, at);
    }

    /** Not JSON: a {@link JsonProcessingException} like Jackson's own, so callers handle both alike. */
    static final class Failure extends JsonProcessingException {
        Failure(String message, int offset) {
            super(message + " (at character " + offset + ")", JsonLocation.NA);
        }
    }
}
