package dev.form.cli.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The API's plain wire records to and from JSON without an {@code ObjectMapper}, for the CLI's one request and
 * one answer per run: Jackson's streaming generator writes the request, {@link JsonTreeReader} reads the answer
 * into Jackson's tree model. Creating a mapper and introspecting a record is most of a short run's JSON cost
 * (about 60 ms of the CLI's start-up, measured); a record of strings, numbers, booleans, string lists and nested
 * such records needs none of it.
 *
 * <p>The output is byte for byte what {@link Json#mapper()} writes (StreamingJsonTest checks that on every
 * request type the CLI sends); anything outside that simple shape — other field types, Jackson annotations
 * other than {@code @JsonInclude} and a {@code @JsonTypeInfo} name on an implemented interface — goes to the
 * shared mapper instead. The annotations of the records the CLI exchanges are not read at run time: their facts
 * are generated ({@link WireShape}).
 */
public final class StreamingJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private StreamingJson() {
    }

    /** {@code value} as the shared mapper would serialize it. */
    public static byte[] write(Object value) {
        if (value instanceof Record record) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            try (JsonGenerator g = FACTORY.createGenerator(out)) {
                writeRecord(g, record);
            } catch (NotPlain e) {
                return mapperBytes(value);
            } catch (IOException e) {
                throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
            }
            return out.toByteArray();
        }
        return mapperBytes(value);
    }

    /**
     * A JSON document as a tree, exactly as {@code Json.mapper().readTree} reads it (see {@link JsonTreeReader}).
     *
     * @throws JsonProcessingException when the bytes are not one JSON value
     */
    public static JsonNode readTree(byte[] json) throws IOException {
        return JsonTreeReader.read(json);
    }

    /**
     * The record {@code type} from a tree object, as strictly as the shared mapper reads it: a field the record
     * does not have, or a value of the wrong JSON type, is an error. Components may be strings, numbers, booleans,
     * instants (ISO-8601 text, as the service writes them), lists of strings or of records, records, and JSON trees.
     *
     * @throws IllegalArgumentException naming the field that does not fit
     */
    public static <T extends Record> T treeToRecord(JsonNode node, Class<T> type) {
        if (!shape(type).plain()) {
            try {
                return Json.mapper().treeToValue(node, type);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(e.getOriginalMessage(), e);
            }
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("expected a JSON object");
        RecordComponent[] components = type.getRecordComponents();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            boolean known = false;
            for (RecordComponent c : components) known |= c.getName().equals(name);
            if (!known) throw new IllegalArgumentException("unknown field \"" + name + "\"");
        }
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            values[i] = fromTree(node.get(c.getName()), c);
        }
        try {
            Constructor<T> canonical = type.getDeclaredConstructor(types);
            return canonical.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + type.getSimpleName(), e);
        }
    }

    private static Object fromTree(JsonNode value, RecordComponent c) {
        Class<?> t = c.getType();
        // A JsonNode component holds the subtree itself; the mapper gives an explicit null as a NullNode.
        if (t == JsonNode.class) return value;
        boolean absent = value == null || value.isNull();
        if (t.isPrimitive() && absent) throw new IllegalArgumentException("field \"" + c.getName() + "\" is required");
        if (absent) return null;
        if (t == String.class && value.isTextual()) return value.textValue();
        if ((t == Long.class || t == long.class) && value.isIntegralNumber() && value.canConvertToLong()) return value.longValue();
        if ((t == Integer.class || t == int.class) && value.isIntegralNumber() && value.canConvertToInt()) return value.intValue();
        if ((t == Boolean.class || t == boolean.class) && value.isBoolean()) return value.booleanValue();
        if (t == Instant.class && value.isTextual()) {
            try {
                return Instant.parse(value.textValue());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("field \"" + c.getName() + "\" is not an ISO-8601 instant: " + value.textValue());
            }
        }
        if (t == List.class && isStringList(c.getGenericType()) && value.isArray()) {
            List<String> out = new ArrayList<>(value.size());
            for (JsonNode item : value) {
                if (!item.isTextual()) throw new IllegalArgumentException("field \"" + c.getName() + "\" must hold strings");
                out.add(item.textValue());
            }
            return List.copyOf(out);
        }
        Class<? extends Record> element = recordListElement(c.getGenericType());
        if (t == List.class && element != null && value.isArray()) {
            List<Record> out = new ArrayList<>(value.size());
            for (JsonNode item : value) {
                if (!item.isObject()) throw new IllegalArgumentException("field \"" + c.getName() + "\" must hold objects");
                out.add(treeToRecord(item, element));
            }
            return List.copyOf(out);
        }
        if (t.isRecord() && value.isObject()) return treeToRecord(value, t.asSubclass(Record.class));
        throw new IllegalArgumentException("field \"" + c.getName() + "\" has the wrong type (" + value.getNodeType() + ")");
    }

    private static void writeRecord(JsonGenerator g, Record record) throws IOException {
        Class<?> type = record.getClass();
        WireShape shape = shape(type);
        if (!shape.plain()) throw new NotPlain();
        boolean skipNulls = shape.skipNulls();
        g.writeStartObject();
        // The "kind" property of a subtype of a @JsonTypeInfo interface (the batch's AddResourceRequest).
        if (shape.typeProperty() != null) g.writeStringField(shape.typeProperty(), shape.typeName());
        for (RecordComponent c : type.getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new NotPlain();
            }
            if (value == null && skipNulls) continue;
            g.writeFieldName(c.getName());
            writeValue(g, value, c);
        }
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, Object value, RecordComponent c) throws IOException {
        Class<?> t = c.getType();
        if (value == null) g.writeNull();
        else if (t == String.class) g.writeString((String) value);
        else if (t == Long.class || t == long.class) g.writeNumber((Long) value);
        else if (t == Integer.class || t == int.class) g.writeNumber((Integer) value);
        else if (t == Boolean.class || t == boolean.class) g.writeBoolean((Boolean) value);
        else if (t == List.class && isStringList(c.getGenericType())) {
            g.writeStartArray();
            for (Object item : (List<?>) value) {
                if (item == null) g.writeNull();
                else g.writeString((String) item);
            }
            g.writeEndArray();
        } else if (t.isRecord()) writeRecord(g, (Record) value);
        else throw new NotPlain();
    }

    /** The record's Jackson facts: generated for the records the CLI exchanges, read from the annotations otherwise. */
    static WireShape shape(Class<?> type) {
        WireShape generated = GeneratedWireShapes.of(type);
        return generated != null ? generated : WireShape.read(type);
    }

    /** The record type R of a {@code List<R>} component, or null. */
    private static Class<? extends Record> recordListElement(Type generic) {
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments().length == 1
                && p.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()) {
            return element.asSubclass(Record.class);
        }
        return null;
    }

    private static boolean isStringList(Type generic) {
        return generic instanceof ParameterizedType p && p.getActualTypeArguments().length == 1
                && p.getActualTypeArguments()[0] == String.class;
    }

    private static byte[] mapperBytes(Object value) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /** A shape this class does not write itself: the caller falls back to the shared mapper. */
    private static final class NotPlain extends IOException {
        NotPlain() {
            super(null, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
