package dev.form.cli.manage;

import dev.form.cli.DurationConverter;
import dev.form.cli.ServiceCommand;
import dev.form.core.api.RequestStatusView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;

@Command(name = "status", description = "Show a queued request's state (queued, running, done or failed) and its outcome.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage status 3f9a0c1e2b4d5f60718293a4b5c6d7e8",
                "  form manage status 3f9a0c1e2b4d5f60718293a4b5c6d7e8 --wait --timeout 2m --json",
                "",
                "Exits 0 while the request is queued, running or done; when it failed, with the failure's exit code."})
public final class StatusCommand extends ServiceCommand {
    @Parameters(index = "0", paramLabel = "REQUEST_ID", description = "The request id that --queue printed.")
    String requestId;

    @Option(names = "--wait", description = "Wait until the request is done or failed.")
    boolean waitForOutcome;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    protected int run() {
        RequestWaiter waiter = new RequestWaiter(client());
        RequestStatusView view = waitForOutcome ? waiter.await(requestId, timeout) : waiter.fetch(requestId);
        var printer = printer();
        printer.jsonValue(view);
        StringBuilder line = new StringBuilder("request ").append(view.requestId()).append(": ").append(view.state());
        if (view.status() != null) line.append(" (").append(view.status()).append(')');
        if (view.method() != null) line.append(", ").append(view.method()).append(' ').append(view.target());
        printer.line(line.toString());
        if ("failed".equals(view.state()) || (view.status() != null && view.status() >= 400))
            throw MutatingCommand.outcomeError(view).resultAlreadyPrinted();
        if (RequestWaiter.isFinished(view) && view.outcome() != null && !view.outcome().isNull() && !printer.json())
            printer.line("outcome: " + view.outcome());
        return 0;
    }
}
