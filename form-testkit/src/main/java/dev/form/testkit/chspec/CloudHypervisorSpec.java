package dev.form.testkit.chspec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cloud Hypervisor's official OpenAPI spec as a request validator. The spec's component schemas
 * (OpenAPI 3.0 schema objects) are validated as JSON Schema draft 4 with their
 * {@code #/components/schemas/X} references resolved; the spec's known gaps are adjusted one by one
 * ({@link SpecGap}), never by loosening validation as a whole. The spec is read from where it lies
 * (never copied): see {@code SharedReference.cloudHypervisorSpec()}.
 */
public final class CloudHypervisorSpec {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ObjectNode schemas;
    private final Map<String, String> requestSchemaByOperation;
    private final Set<String> operationsWithoutBody;
    private final Set<SpecGap> gaps;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().locale(Locale.ENGLISH).pathType(PathType.JSON_PATH).build();
    private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();

    private CloudHypervisorSpec(ObjectNode schemas, Map<String, String> requestSchemaByOperation,
                                Set<String> operationsWithoutBody, Set<SpecGap> gaps) {
        this.schemas = schemas;
        this.requestSchemaByOperation = requestSchemaByOperation;
        this.operationsWithoutBody = operationsWithoutBody;
        this.gaps = gaps;
    }

    /** The spec with every known gap handled. */
    public static CloudHypervisorSpec load(Path yaml) {
        return load(yaml, EnumSet.allOf(SpecGap.class));
    }

    /** The spec exactly as published, no gap handled. */
    public static CloudHypervisorSpec strict(Path yaml) {
        return load(yaml, EnumSet.noneOf(SpecGap.class));
    }

    /** The spec with exactly these gaps handled. */
    public static CloudHypervisorSpec load(Path yaml, Set<SpecGap> gaps) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Cloud Hypervisor spec " + yaml + ": " + e.getMessage(), e);
        }
        JsonNode rawSchemas = root.path("components").path("schemas");
        if (!rawSchemas.isObject() || rawSchemas.isEmpty()) {
            throw new IllegalArgumentException(yaml + " has no components/schemas: not the Cloud Hypervisor OpenAPI spec");
        }
        ObjectNode schemas = (ObjectNode) toDraft4(rawSchemas);
        Map<String, String> bodies = new LinkedHashMap<>();
        Set<String> noBody = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : root.path("paths").properties()) {
            JsonNode put = e.getValue().path("put");
            if (put.isMissingNode()) continue;
            String ref = put.path("requestBody").path("content").path("application/json").path("schema").path("$ref").asText("");
            if (ref.startsWith("#/components/schemas/")) bodies.put(e.getKey(), ref.substring("#/components/schemas/".length()));
            else noBody.add(e.getKey());
        }
        EnumSet<SpecGap> set = gaps.isEmpty() ? EnumSet.noneOf(SpecGap.class) : EnumSet.copyOf(gaps);
        for (SpecGap g : set) apply(g, schemas);
        return new CloudHypervisorSpec(schemas, Collections.unmodifiableMap(bodies), Collections.unmodifiableSet(noBody), Collections.unmodifiableSet(set));
    }

    /** The gaps this instance handles. */
    public Set<SpecGap> gaps() {
        return gaps;
    }

    /** Operations (e.g. "/vm.add-disk") with a JSON request body, and the schema each takes. */
    public Map<String, String> requestSchemas() {
        return requestSchemaByOperation;
    }

    /**
     * Validates a request body for an operation path such as "/vm.add-disk".
     *
     * @return one message per violation, each naming the JSON location ("$.readonly: ..."); empty when valid
     * @throws IllegalArgumentException for an operation the spec does not define with PUT
     */
    public List<String> validateRequest(String operationPath, String jsonBody) {
        String schema = requestSchemaByOperation.get(operationPath);
        if (schema == null) {
            if (operationsWithoutBody.contains(operationPath)) {
                return jsonBody == null || jsonBody.isEmpty() ? List.of() : List.of(operationPath + " takes no request body");
            }
            throw new IllegalArgumentException("the spec defines no PUT operation " + operationPath);
        }
        return validate(schema, jsonBody);
    }

    /** Validates a JSON document against one component schema by name (e.g. "VmInfo", "PciDeviceInfo"). */
    public List<String> validate(String schemaName, String json) {
        if (json == null || json.isEmpty()) return List.of("$: a " + schemaName + " body is required");
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return List.of("$: not JSON: " + e.getOriginalMessage());
        }
        if (node == null) return List.of("$: a " + schemaName + " body is required");
        Set<ValidationMessage> messages = compiled.computeIfAbsent(schemaName, this::compile).validate(node);
        List<String> out = new ArrayList<>();
        for (ValidationMessage m : messages) out.add(m.getMessage());
        Collections.sort(out);
        return out;
    }

    private JsonSchema compile(String schemaName) {
        if (!schemas.has(schemaName)) throw new IllegalArgumentException("the spec has no schema " + schemaName);
        ObjectNode doc = F.objectNode();
        doc.put("$ref", "#/components/schemas/" + schemaName);
        doc.set("components", F.objectNode().set("schemas", schemas));
        return factory.getSchema(doc, config);
    }

    /**
     * OpenAPI 3.0 schema objects to draft 4: {@code nullable: true} becomes a "null" type alternative,
     * OpenAPI-only annotations are dropped; everything else is already draft-4 vocabulary.
     */
    static JsonNode toDraft4(JsonNode n) {
        if (n.isArray()) {
            ArrayNode a = F.arrayNode();
            n.forEach(x -> a.add(toDraft4(x)));
            return a;
        }
        if (!n.isObject()) return n.deepCopy();
        ObjectNode out = F.objectNode();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String k = e.getKey();
            if (List.of("nullable", "deprecated", "example", "readOnly", "writeOnly", "discriminator", "xml", "externalDocs").contains(k)) continue;
            // Property names are data, not keywords: copy the map, converting each value.
            out.set(k, toDraft4(e.getValue()));
        }
        if (n.path("nullable").asBoolean(false) && out.has("type")) makeNullable(out);
        return out;
    }

    private static void apply(SpecGap gap, ObjectNode s) {
        switch (gap) {
            case FS_QUEUE_FIELDS_DEFAULTED -> removeRequired(obj(s, "FsConfig"), "num_queues", "queue_size");
            case NULLABLE_RATE_LIMITER_BUCKETS -> {
                nullableRefProperty(s, obj(s, "RateLimiterConfig"), "bandwidth");
                nullableRefProperty(s, obj(s, "RateLimiterConfig"), "ops");
            }
            case NULLABLE_TOKEN_BUCKET_BURST -> makeNullable((ObjectNode) obj(s, "TokenBucket").path("properties").path("one_time_burst"));
            case NULLABLE_RESIZE_FIELDS -> {
                for (String f : List.of("desired_vcpus", "desired_ram", "desired_balloon")) {
                    makeNullable((ObjectNode) obj(s, "VmResize").path("properties").path(f));
                }
            }
            case IMAGE_TYPE_FLAT_VMDK -> {
                ArrayNode values = (ArrayNode) obj(s, "ImageType").path("enum");
                boolean present = false;
                for (JsonNode v : values) present |= v.asText().equals("FlatVmdk");
                if (!present) values.add("FlatVmdk");
            }
            case DISK_TEST_KNOBS_DOCUMENTED -> {
                ObjectNode props = (ObjectNode) obj(s, "DiskConfig").path("properties");
                props.set("disable_io_uring", F.objectNode().put("type", "boolean"));
                props.set("disable_aio", F.objectNode().put("type", "boolean"));
            }
            case REMOVE_DEVICE_ID_REQUIRED -> {
                ObjectNode remove = obj(s, "VmRemoveDevice");
                ArrayNode req = remove.has("required") ? (ArrayNode) remove.get("required") : remove.putArray("required");
                req.add("id");
            }
        }
    }

    private static ObjectNode obj(ObjectNode schemas, String name) {
        JsonNode n = schemas.get(name);
        if (!(n instanceof ObjectNode o)) throw new IllegalStateException("the spec has no schema " + name + " to adjust");
        return o;
    }

    private static void removeRequired(ObjectNode schema, String... fields) {
        JsonNode req = schema.get("required");
        if (!(req instanceof ArrayNode a)) return;
        ArrayNode kept = F.arrayNode();
        for (JsonNode f : a) if (!List.of(fields).contains(f.asText())) kept.add(f);
        schema.set("required", kept);
    }

    private static void makeNullable(ObjectNode schema) {
        JsonNode type = schema.get("type");
        if (type == null) return;
        if (type.isTextual()) schema.set("type", F.arrayNode().add(type.asText()).add("null"));
        else if (type.isArray()) ((ArrayNode) type).add("null");
    }

    /**
     * {@code {"$ref": X}} becomes a copy of X whose type also admits null (draft 4 ignores keywords beside
     * $ref; object keywords such as required do not apply to null, so the copy stays exact for objects).
     */
    private static void nullableRefProperty(ObjectNode schemas, ObjectNode schema, String property) {
        ObjectNode props = (ObjectNode) schema.path("properties");
        String ref = props.path(property).path("$ref").asText("");
        ObjectNode target = obj(schemas, ref.substring(ref.lastIndexOf('/') + 1)).deepCopy();
        makeNullable(target);
        props.set(property, target);
    }
}
