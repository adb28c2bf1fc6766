package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * {@code GET /v1/requests/{id}} and the 202 answer of {@code POST /v1/queue}.
 *
 * @param state   queued, running, done or failed
 * @param status  the HTTP status the request's outcome carries (once finished)
 * @param outcome the response body the request produced (once finished): a view or an {@link ErrorBody}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestStatusView(String requestId, String state, String instance, String method, String target,
                                Integer status, JsonNode outcome, Instant acceptedAt, Instant finishedAt) {
}
