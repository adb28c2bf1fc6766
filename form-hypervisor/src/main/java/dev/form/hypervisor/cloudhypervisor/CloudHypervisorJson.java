package dev.form.hypervisor.cloudhypervisor;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * The Jackson setup for Cloud Hypervisor's wire format. Requests never carry nulls (the server
 * accepts them but the official spec does not). Responses are read leniently: the server adds
 * fields between releases (and reports undocumented ones such as {@code parent} or
 * {@code disable_aio}), and a new field must not break a running service.
 */
public final class CloudHypervisorJson {
    private CloudHypervisorJson() {
    }

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS))
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        // Bounded nesting: a hostile or broken peer must not drive the parser into deep recursion.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private static final java.util.concurrent.ConcurrentMap<Class<?>, ObjectReader> READERS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.ConcurrentMap<Class<?>, ObjectWriter> WRITERS = new java.util.concurrent.ConcurrentHashMap<>();

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The exact request body bytes for a wire model. */
    public static byte[] write(Object value) {
        try {
            // Cached per type: every hot-add pays for serialization, not for the writer's lookup.
            return WRITERS.computeIfAbsent(value.getClass(), MAPPER::writerFor).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a response body.
     *
     * @throws IOException (a Jackson exception) when the bytes are not valid JSON of that shape
     */
    public static <T> T read(byte[] body, Class<T> type) throws IOException {
        return READERS.computeIfAbsent(type, MAPPER::readerFor).readValue(body);
    }
}
