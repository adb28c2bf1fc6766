package dev.form.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.cli.CliFailure;
import dev.form.core.api.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A successful (2xx) answer of the service. */
public record ServiceResponse(int status, byte[] body) {

    public JsonNode json() {
        if (body.length == 0) return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        try {
            return StreamingJson.readTree(body);
        } catch (IOException e) {
            throw new CliFailure(CliFailure.SERVICE_FAILURE, "the service answered " + status + " with a body that is not JSON",
                    "is --host pointing at a form service?", "bad_response", e);
        }
    }

    /** The answer as {@code type}; a record is bound from the tree without an ObjectMapper (see {@link #recordsOf}). */
    public <T> T as(Class<T> type) {
        try {
            if (type.isRecord()) {
                return type.cast(StreamingJson.treeToRecord(StreamingJson.readTree(body), type.asSubclass(Record.class)));
            }
            return Json.mapper().readValue(body, type);
        } catch (IOException | IllegalArgumentException e) {
            throw notA("a " + type.getSimpleName(), e);
        }
    }

    /**
     * A JSON array of records whose fields are strings, numbers, booleans, instants, JSON trees, lists of strings
     * or of such records, or such records, read without an ObjectMapper (building one costs a short command some
     * 30 ms); see {@link StreamingJson#treeToRecord}.
     */
    public <T extends Record> List<T> recordsOf(Class<T> type) {
        JsonNode rows = json();
        try {
            if (!rows.isArray()) throw new IllegalArgumentException("expected a JSON array");
            List<T> out = new ArrayList<>(rows.size());
            for (JsonNode row : rows) out.add(StreamingJson.treeToRecord(row, type));
            return out;
        } catch (IllegalArgumentException e) {
            throw notA("a list of " + type.getSimpleName(), e);
        }
    }

    /** The failure for an answer that is JSON but not {@code what} ("an instance"): a service of another version. */
    public static CliFailure notA(String what, Exception cause) {
        return new CliFailure(CliFailure.SERVICE_FAILURE, "the service's answer is not " + what + ": " + cause.getMessage(),
                "the CLI and the service may be of different versions", "bad_response", cause);
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
