package dev.form.cli.manage;

import dev.form.core.api.ApiPaths;
import picocli.CommandLine.Command;

@Command(name = "stop", description = "Shut an instance down (its configuration, hot-added resources included, is kept).",
        footerHeading = "%nExamples:%n", footer = {"  form manage stop -n web", "  form manage stop -i 5f2c... --queue --wait"})
public final class StopCommand extends MutatingCommand {
    @Override
    protected int run() {
        return submit("POST", ApiPaths.instanceAction(refSegment(), "stop"), null,
                (p, json) -> p.line("stopped " + Instances.summary(Instances.view(json))));
    }
}
