package dev.form.cli.manage;

import dev.form.cli.CliFailure;
import dev.form.cli.InstanceCommand;
import dev.form.cli.http.ServiceResponse;
import dev.form.core.api.ApiPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "console", description = "Print an instance's serial console output.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage console -n web",
                "  form manage console -n web --follow",
                "  form manage console -n web --offset 4096 --json"})
public final class ConsoleCommand extends InstanceCommand {
    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until interrupted (Ctrl-C).")
    boolean follow;

    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0", description = "Start at this byte of the output (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "500", description = "With --follow: how often to poll, in milliseconds (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Override
    protected int run() throws InterruptedException {
        if (offset < 0) throw CliFailure.usage("--offset must be 0 or more", null);
        if (follow && output.json()) throw CliFailure.usage("--follow and --json do not go together", "use --offset with --json to page through the output");
        var printer = printer();
        PrintWriter out = printer.writer();
        long at = offset;
        while (true) {
            ServiceResponse response = client().send("GET", ApiPaths.instanceAction(refSegment(), "console") + "?offset=" + at, null);
            if (printer.json()) {
                Map<String, Object> page = new LinkedHashMap<>();
                page.put("offset", at);
                page.put("nextOffset", at + response.body().length);
                page.put("text", response.text());
                printer.jsonValue(page);
                return 0;
            }
            out.print(response.text());
            out.flush();
            at += response.body().length;
            if (!follow) return 0;
            Thread.sleep(Math.max(50, intervalMs));
        }
    }
}
