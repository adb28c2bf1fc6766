package dev.form.vmm.pipeline;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.form.core.api.Json;
import dev.form.core.auth.VerifiedRequest;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.registry.NonceStore;
import dev.form.vmm.registry.Registry;
import dev.form.vmm.registry.SqlWork;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One authenticated request on its way through a route: who sent it, its parameters, and the one
 * way to make its effect durable — {@link #commit}, which records the request's nonce and outcome in
 * the same transaction as the effect.
 */
public final class Call {
    private final ApiRequest request;
    private final VerifiedRequest verified;
    private final Map<String, String> pathParams;
    private final Map<String, String> query;
    private final Registry registry;
    private volatile boolean recorded;

    Call(ApiRequest request, VerifiedRequest verified, Map<String, String> pathParams, Map<String, String> query, Registry registry) {
        this.request = request;
        this.verified = verified;
        this.pathParams = pathParams;
        this.query = query;
        this.registry = registry;
    }

    public ApiRequest request() {
        return request;
    }

    /** The signer's address (EIP-55), or null on unsigned routes. */
    public String caller() {
        return verified == null ? null : verified.address();
    }

    /** The request id: the signed nonce, or null on unsigned routes. */
    public String requestId() {
        return verified == null ? null : verified.nonce();
    }

    public VerifiedRequest verified() {
        return verified;
    }

    public RequestOrigin origin() {
        return request.origin();
    }

    public String path(String name) {
        return pathParams.get(name);
    }

    public String query(String name) {
        return query.get(name);
    }

    public Map<String, String> queryParams() {
        return query;
    }

    /** Parses the JSON body strictly; every failure is a 400 naming the field. */
    public <T> T body(Class<T> type) {
        return body(type, null);
    }

    /**
     * As {@link #body(Class)}, letting {@code adjust} complete the JSON object first (e.g. a default
     * discriminator); {@code adjust} may throw an {@link ApiProblem} naming the field.
     */
    public <T> T body(Class<T> type, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> adjust) {
        byte[] body = request.body();
        if (body.length == 0) throw ApiProblem.invalid("body", "a JSON body is required");
        try {
            T value;
            if (adjust == null) {
                value = Json.mapper().readValue(body, type);
            } else {
                com.fasterxml.jackson.databind.JsonNode tree = Json.mapper().readTree(body);
                if (!(tree instanceof com.fasterxml.jackson.databind.node.ObjectNode object)) {
                    throw ApiProblem.invalid("body", "the body must be a JSON object");
                }
                adjust.accept(object);
                value = Json.mapper().treeToValue(object, type);
            }
            if (value == null) throw ApiProblem.invalid("body", "the body must be a JSON object, not null");
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiProblem.invalid(e.getPropertyName(), "unknown field '" + e.getPropertyName() + "'",
                    "known fields: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw ApiProblem.invalid(field.isEmpty() ? "body" : field, "invalid value" + (field.isEmpty() ? "" : " for '" + field + "'")
                    + ": " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw ApiProblem.invalid("body", "the body is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw ApiProblem.invalid("body", "the body cannot be read: " + e.getMessage());
        }
    }

    /**
     * Runs {@code work} (the request's durable effect, which returns the answer) and records the
     * nonce with that answer, in one transaction: one commit per request.
     */
    public ApiResponse commit(SqlWork<ApiResponse> work) {
        try {
            return registry.write(c -> {
                ApiResponse response = work.run(c);
                recordIn(c, response);
                return response;
            });
        } catch (RuntimeException e) {
            recorded = false; // rolled back: the dispatcher records the error outcome instead
            throw e;
        }
    }

    /** Records this request's outcome inside a transaction the caller already holds. */
    public void recordIn(java.sql.Connection c, ApiResponse response) throws java.sql.SQLException {
        if (verified == null || recorded) return;
        NonceStore.record(c, new NonceStore.SeenNonce(verified.nonce(), request.method(), request.target(), verified.bodySha256(),
                verified.expires().getEpochSecond(), verified.address(), response.status(), response.contentType(), response.body()));
        recorded = true;
    }

    boolean recorded() {
        return recorded;
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
