package dev.form.vmm.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.form.core.api.Json;
import dev.form.vmm.api.ServiceRoutes;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks real answers against our own OpenAPI document: the route and method must be described, the
 * status must be one the operation lists, and the body must match that response's schema.
 */
public final class OpenApiContract {
    private static final JsonNode DOC;
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    static {
        try {
            DOC = Json.mapper().readTree(ServiceRoutes.openApiDocument());
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OpenApiContract() {
    }

    public static JsonNode document() {
        return DOC;
    }

    public static void check(SignedClient.Reply reply) {
        String path = reply.target().contains("?") ? reply.target().substring(0, reply.target().indexOf('?')) : reply.target();
        String template = templateOf(path);
        assertThat(template).as("route %s is described in openapi.json", path).isNotNull();
        JsonNode operation = DOC.path("paths").path(template).path(reply.method().toLowerCase());
        assertThat(operation.isMissingNode()).as("%s %s is described", reply.method(), template).isFalse();
        JsonNode response = operation.path("responses").path(Integer.toString(reply.status()));
        assertThat(response.isMissingNode()).as("status %d of %s %s is described (answer: %s)", reply.status(), reply.method(), template, reply.text()).isFalse();
        JsonNode content = response.path("content");
        String ct = content.fieldNames().next();
        assertThat(reply.contentType()).as("content type of %s", reply).startsWith(ct.split(";")[0]);
        if (!ct.startsWith("application/json")) return;
        JsonNode schemaNode = content.path(ct).path("schema");
        String key = template + " " + reply.method() + " " + reply.status();
        JsonSchema schema = CACHE.computeIfAbsent(key, k -> {
            ObjectNode root = Json.mapper().createObjectNode();
            root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            root.setAll((ObjectNode) schemaNode.deepCopy());
            root.set("components", DOC.path("components"));
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
        });
        Set<ValidationMessage> problems = schema.validate(reply.json());
        assertThat(problems).as("%s matches its schema in openapi.json", reply).isEmpty();
    }

    private static String templateOf(String path) {
        List<String> actual = List.of(path.substring(1).split("/"));
        String best = null;
        int bestLiterals = -1;
        for (Iterator<String> it = DOC.path("paths").fieldNames(); it.hasNext(); ) {
            String t = it.next();
            List<String> segs = List.of(t.substring(1).split("/"));
            if (segs.size() != actual.size()) continue;
            int literals = 0;
            boolean match = true;
            for (int i = 0; i < segs.size(); i++) {
                if (segs.get(i).startsWith("{")) continue;
                if (!segs.get(i).equals(actual.get(i))) {
                    match = false;
                    break;
                }
                literals++;
            }
            if (match && literals > bestLiterals) {
                best = t;
                bestLiterals = literals;
            }
        }
        return best;
    }
}
