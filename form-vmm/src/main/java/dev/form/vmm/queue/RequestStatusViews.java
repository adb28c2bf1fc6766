package dev.form.vmm.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.form.core.api.Json;
import dev.form.core.api.RequestStatusView;
import dev.form.vmm.pipeline.ApiResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Turns queue rows and recorded answers into the wire's {@link RequestStatusView}. */
final class RequestStatusViews {
    private RequestStatusViews() {
    }

    static RequestStatusView of(QueuedRequestRecord r) {
        JsonNode outcome = r.finished() ? outcomeJson(r.contentType(), r.outcome()) : null;
        return new RequestStatusView(r.requestId(), r.state(), r.lane(), r.method(), r.target(), r.finished() ? r.status() : null,
                outcome, r.acceptedAt(), r.finishedAt());
    }

    /** A finished request's view from its answer (for outcomes that are published but not stored, like a 401). */
    static RequestStatusView finished(String requestId, String instance, String method, String target, ApiResponse answer,
                                      Instant acceptedAt, Instant finishedAt) {
        return new RequestStatusView(requestId, stateOf(answer.status()), instance, method, target, answer.status(),
                outcomeJson(answer.contentType(), answer.body()), acceptedAt, finishedAt);
    }

    static String stateOf(int status) {
        return status >= 200 && status < 300 ? QueuedRequestRecord.DONE : QueuedRequestRecord.FAILED;
    }

    static JsonNode outcomeJson(String contentType, byte[] body) {
        if (body == null) return null;
        if (contentType != null && contentType.startsWith(ApiResponse.JSON)) {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                // fall through: keep the bytes readable
            }
        }
        return TextNode.valueOf(new String(body, StandardCharsets.UTF_8));
    }
}
