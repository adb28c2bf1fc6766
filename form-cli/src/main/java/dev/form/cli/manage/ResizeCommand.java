package dev.form.cli.manage;

import dev.form.cli.CliFailure;
import dev.form.cli.SizeConverter;
import dev.form.cli.http.ServiceClient;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.ResizeRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "resize", description = "Change a running instance's CPUs or memory, within its maximums.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage resize -n web --cpus 4",
                "  form manage resize -n web --memory 1G",
                "  form manage resize -i 5f2c... --cpus 2 --memory 768M --queue --wait"})
public final class ResizeCommand extends MutatingCommand {
    @Option(names = "--cpus", paramLabel = "N", description = "New number of virtual CPUs.")
    Integer cpus;

    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeConverter.class, description = "New memory size, e.g. 1G.")
    Long memory;

    @Override
    protected int run() {
        if (cpus == null && memory == null)
            throw CliFailure.usage("resize needs --cpus or --memory (or both)", "e.g. form manage resize -n web --cpus 4");
        return submit("POST", ApiPaths.instanceAction(refSegment(), "resize"), ServiceClient.body(new ResizeRequest(cpus, memory)),
                (p, json) -> p.line("resized " + Instances.summary(Instances.view(json))));
    }
}
