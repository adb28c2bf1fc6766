package dev.form.cli.manage;

import dev.form.cli.CliFailure;
import dev.form.cli.http.PathSegments;
import dev.form.cli.http.ServiceClient;
import dev.form.cli.http.ServiceError;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.RequestStatusView;

import java.time.Duration;

/** Polls {@code GET /v1/requests/{id}} until the request is done or failed, within a bound. */
public final class RequestWaiter {
    private final ServiceClient client;

    public RequestWaiter(ServiceClient client) {
        this.client = client;
    }

    public RequestStatusView fetch(String requestId) {
        return client.send("GET", ApiPaths.request(PathSegments.encode(requestId)), null).as(RequestStatusView.class);
    }

    public RequestStatusView await(String requestId, Duration timeout) {
        return await(requestId, timeout, false);
    }

    /**
     * Waits until the request is done or failed, or {@code timeout} has passed.
     *
     * @param unseenIsPending the request went to a Kafka topic just now: the service has not read it yet when it
     *                        answers 404 for its id, so that is waited out too instead of being an error
     */
    public RequestStatusView await(String requestId, Duration timeout, boolean unseenIsPending) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 20;
        while (true) {
            RequestStatusView view;
            try {
                view = fetch(requestId);
            } catch (ServiceError e) {
                if (!unseenIsPending || e.status() != 404) throw e;
                view = null;
            }
            if (view != null && isFinished(view)) return view;
            long left = deadline - System.nanoTime();
            if (left <= 0 && view == null)
                throw new CliFailure(CliFailure.UNREACHABLE, "the service has not seen request " + requestId + " within "
                        + timeout.toSeconds() + " s of its going to the Kafka topic",
                        "is the service consuming the topic queue.kafka.request_topic names? check later with 'form manage status "
                                + requestId + "'", "timeout", null);
            if (left <= 0)
                throw new CliFailure(CliFailure.UNREACHABLE, "request " + requestId + " is still " + view.state()
                        + " after " + timeout.toSeconds() + " s",
                        "check later with 'form manage status " + requestId + "', or give a longer --timeout", "timeout", null);
            try {
                Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure(CliFailure.UNREACHABLE, "interrupted while waiting for request " + requestId, null);
            }
            pause = Math.min(pause * 2, 500);
        }
    }

    public static boolean isFinished(RequestStatusView view) {
        return "done".equals(view.state()) || "failed".equals(view.state());
    }
}
