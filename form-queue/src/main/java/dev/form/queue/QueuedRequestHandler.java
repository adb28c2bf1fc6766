package dev.form.queue;

import dev.form.core.api.QueuedRequest;
import dev.form.core.api.RequestStatusView;

/**
 * The service side of a queue: applies one well-formed queued request through the service's request
 * pipeline (which verifies its signature exactly as for a direct call) and records its outcome.
 *
 * <p>Contract: returns only once the outcome is durably recorded (so a consumer may then acknowledge
 * the message), with state {@code done} or {@code failed}. Calling it again with the same request
 * (same nonce) must not apply it again: it returns the outcome already recorded. A request that fails
 * authentication gets a {@code failed} view with status 401 and must not occupy its nonce.
 * Throwing {@link dev.form.queue.MalformedRequestException} means "this message can never be applied"
 * (it is dead-lettered with the reason); any other exception means "not recorded, try again later".
 */
@FunctionalInterface
public interface QueuedRequestHandler {
    RequestStatusView handle(QueuedRequest request) throws Exception;
}
