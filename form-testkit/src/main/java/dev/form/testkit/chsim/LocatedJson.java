package dev.form.testkit.chsim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A JSON document plus where each value ends, so that errors can name a line and column the way
 * serde_json does (the column of the value's last character).
 */
final class LocatedJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();

    private final JsonNode root;
    private final Map<String, String> ends;

    private LocatedJson(JsonNode root, Map<String, String> ends) {
        this.root = root;
        this.ends = ends;
    }

    JsonNode root() {
        return root;
    }

    /** " at line L column C" for the end of the value at this JSON pointer. */
    String at(String pointer) {
        String p = ends.get(pointer);
        return p == null ? " at line 1 column 0" : p;
    }

    static LocatedJson parse(String text) throws DeserializeException {
        Map<String, String> ends = new HashMap<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) throw new DeserializeException("EOF while parsing a value at line 1 column 0");
            JsonNode root = read(p, "", ends);
            JsonToken extra;
            try {
                extra = p.nextToken();
            } catch (JsonProcessingException e) {
                throw new DeserializeException("trailing characters" + where(e.getLocation(), 0));
            }
            if (extra != null) throw new DeserializeException("trailing characters" + where(p.currentTokenLocation(), 1));
            return new LocatedJson(root, ends);
        } catch (DeserializeException e) {
            throw e;
        } catch (JsonProcessingException e) {
            String what = e.getOriginalMessage() != null && e.getOriginalMessage().contains("end-of-input")
                    ? "EOF while parsing a value" : "expected value";
            throw new DeserializeException(what + where(e.getLocation(), 0));
        } catch (IOException e) {
            throw new DeserializeException("expected value at line 1 column 1");
        }
    }

    private static JsonNode read(JsonParser p, String ptr, Map<String, String> ends) throws IOException, DeserializeException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonToken t = p.currentToken();
        JsonNode node;
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    String name = p.currentName();
                    p.nextToken();
                    String child = ptr + "/" + name;
                    if (o.has(name)) {
                        read(p, child, ends);
                        throw new DeserializeException("duplicate field `" + name + "`" + ends.get(child));
                    }
                    o.set(name, read(p, child, ends));
                }
                node = o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(read(p, ptr + "/" + i++, ends));
                }
                node = a;
            }
            case VALUE_STRING -> node = f.textNode(p.getText());
            case VALUE_NUMBER_INT -> node = f.numberNode(p.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT -> node = f.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> node = f.booleanNode(true);
            case VALUE_FALSE -> node = f.booleanNode(false);
            case VALUE_NULL -> node = f.nullNode();
            default -> throw new DeserializeException("expected value" + where(p.currentTokenLocation(), 1));
        }
        ends.put(ptr, where(p.currentLocation(), -1));
        return node;
    }

    private static String where(JsonLocation loc, int columnShift) {
        long col = Math.max(0, loc.getColumnNr() + columnShift);
        return " at line " + Math.max(1, loc.getLineNr()) + " column " + col;
    }
}
