package dev.form.cli.manage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.cli.DurationConverter;
import dev.form.cli.InstanceCommand;
import dev.form.cli.http.ServiceClient;
import dev.form.cli.http.ServiceError;
import dev.form.cli.http.ServiceResponse;
import dev.form.cli.output.Printer;
import dev.form.core.api.ErrorBody;
import dev.form.core.api.Json;
import dev.form.core.api.RequestStatusView;
import dev.form.queue.QueueKind;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Map;

/**
 * A change to one instance: sent directly, or with --queue through the queue (--wait then waits for
 * the outcome, bounded by --timeout).
 */
public abstract class MutatingCommand extends InstanceCommand {
    @Option(names = "--queue", description = "Send the signed request through the queue (the config's queue.kind: embedded or kafka) and print its request id.")
    protected boolean queue;

    @Option(names = "--wait", description = "With --queue: wait for the request's outcome (a direct call always waits).")
    protected boolean waitForOutcome;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long --wait waits: 500ms, 30s, 2m, ... (default: ${DEFAULT-VALUE}).")
    protected Duration timeout;

    @Override
    protected Duration requestTimeout() {
        return timeout.plusSeconds(30);
    }

    /** Sends the change and renders its result; returns the exit code. */
    protected int submit(String method, String target, byte[] body, OutcomeRenderer renderer) {
        Printer printer = printer();
        ServiceClient client = client();
        if (!queue) {
            ServiceResponse response = client.send(method, target, body);
            if (printer.json()) printer.jsonValue(response.json());
            else renderer.render(printer, response.json());
            return 0;
        }
        QueueSubmitter submitter = new QueueSubmitter(client, config());
        String requestId = submitter.submit(ref(), refSegment(), method, target, body);
        if (!waitForOutcome) {
            printer.jsonValue(Map.of("requestId", requestId, "state", "queued"));
            printer.line("queued request " + requestId + " (follow it with: form manage status " + requestId + " --wait)");
            return 0;
        }
        RequestStatusView done = new RequestWaiter(client).await(requestId, timeout, submitter.kind() == QueueKind.KAFKA);
        return renderFinished(printer, done, renderer);
    }

    /** The outcome of a finished queued request, as the direct call would have shown it. */
    static int renderFinished(Printer printer, RequestStatusView view, OutcomeRenderer renderer) {
        printer.jsonValue(view);
        int status = view.status() == null ? 0 : view.status();
        if ("failed".equals(view.state()) || status >= 400) throw outcomeError(view).resultAlreadyPrinted();
        if (!printer.json()) renderer.render(printer, view.outcome() == null ? Json.mapper().nullNode() : view.outcome());
        return 0;
    }

    static ServiceError outcomeError(RequestStatusView view) {
        JsonNode outcome = view.outcome();
        ErrorBody body = null;
        if (outcome != null && outcome.isObject()) {
            try {
                body = Json.mapper().treeToValue(outcome, ErrorBody.class);
            } catch (Exception ignored) {
                // not an error document: described below
            }
        }
        if (body == null || body.code() == null)
            body = new ErrorBody("failed", "request " + view.requestId() + " failed", null, null, null);
        int status = view.status() == null ? 500 : view.status();
        return new ServiceError(status, body);
    }
}
