package dev.form.vmm.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.form.core.api.ErrorBody;
import dev.form.core.api.Json;
import dev.form.vmm.ApiProblem;

import java.nio.charset.StandardCharsets;

/** What the service answers: the same bytes over HTTP and into a queued request's recorded outcome. */
public record ApiResponse(int status, String contentType, byte[] body) {
    public static final String JSON = "application/json";
    public static final String TEXT = "text/plain; charset=utf-8";

    public static ApiResponse json(int status, Object value) {
        try {
            return new ApiResponse(status, JSON, Json.mapper().writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response: " + e.getMessage(), e);
        }
    }

    public static ApiResponse text(int status, String text) {
        return new ApiResponse(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public static ApiResponse error(ApiProblem problem) {
        return json(problem.code().httpStatus(), problem.toBody());
    }

    public boolean isError() {
        return status >= 400;
    }

    /** The body as an error, when it is one (null otherwise or when it does not parse). */
    public ErrorBody errorBody() {
        if (!isError() || !JSON.equals(contentType)) return null;
        try {
            return Json.mapper().readValue(body, ErrorBody.class);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
