package dev.form.vmm.queue;

import dev.form.core.auth.SignedHeaders;
import dev.form.vmm.pipeline.ApiRequest;
import dev.form.vmm.pipeline.ApiResponse;
import dev.form.vmm.pipeline.RequestDispatcher;
import dev.form.vmm.pipeline.RequestOrigin;
import dev.form.vmm.registry.Registry;

import java.time.Clock;

/**
 * Runs one stored request through the service's single entry point and records its one outcome.
 *
 * <p>Why a crash at any point is harmless: the dispatcher records the request's outcome under its
 * nonce in the same transaction as its effect, and answers the recorded outcome when the same request
 * comes again. So a request found {@code running} after a restart is simply dispatched again: if its
 * effect had committed, the recorded outcome comes back and only this table's row is completed; if not,
 * it runs now (reconciliation has already settled any half-done hypervisor call by then).
 */
final class QueuedRequestExecution {
    private final Registry registry;
    private final RequestDispatcher dispatcher;
    private final Clock clock;
    private final RequestCompletions completions;

    QueuedRequestExecution(Registry registry, RequestDispatcher dispatcher, Clock clock, RequestCompletions completions) {
        this.registry = registry;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.completions = completions;
    }

    /** Dispatches the request and records its outcome; returns the row as finished (its first outcome, if it had one). */
    QueuedRequestRecord run(QueuedRequestRecord r) {
        return runThenStartNext(r, false).finished();
    }

    /**
     * @param finished the row as finished; read back only for {@link #run} (the embedded queue's worker
     *                 does not need it, and reading it would cost the writer thread a query per request)
     * @param status   the status of the answer this run produced
     * @param next     with {@code startNext}, the next request of the lane, already marked running
     */
    record Step(QueuedRequestRecord finished, int status, QueuedRequestRecord next) {
    }

    /**
     * Dispatches the request, then records its outcome and (with {@code startNext}) marks the next queued
     * request of the same lane running, in one transaction: a busy lane costs one commit per request
     * besides the request's own.
     */
    Step runThenStartNext(QueuedRequestRecord r, boolean startNext) {
        QueueFaultPoints.reach(QueueFaultPoints.BEFORE_DISPATCH);
        ApiResponse answer = dispatcher.dispatch(new ApiRequest(r.method(), r.target(), r.body(),
                new SignedHeaders(r.requestId(), r.expires(), r.signature(), r.signer()), RequestOrigin.QUEUE));
        QueueFaultPoints.reach(QueueFaultPoints.BEFORE_OUTCOME);
        Step step = registry.write(c -> {
            QueuedRequestStore.finish(c, r.requestId(), RequestStatusViews.stateOf(answer.status()), answer.status(),
                    answer.contentType(), answer.body(), clock.instant());
            QueuedRequestRecord next = null;
            if (startNext) {
                next = QueuedRequestStore.nextQueued(c, r.lane()).orElse(null);
                if (next != null && QueuedRequestStore.markRunning(c, java.util.List.of(next.seq()), clock.instant()).isEmpty()) next = null;
            }
            return new Step(startNext ? null : QueuedRequestStore.find(c, r.requestId()).orElseThrow(), answer.status(), next);
        });
        completions.finished(r.requestId());
        return step;
    }
}
