package dev.form.cli.manage;

import dev.form.cli.CliFailure;
import dev.form.cli.http.PathSegments;
import dev.form.cli.http.ServiceClient;
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
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 20;
        while (true) {
            RequestStatusView view = fetch(requestId);
            if (isFinished(view)) return view;
            long left = deadline - System.nanoTime();
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
