package dev.form.cli.manage;

import dev.form.core.api.ApiPaths;
import picocli.CommandLine.Command;

@Command(name = "start", description = "Boot an instance.",
        footerHeading = "%nExamples:%n", footer = {"  form manage start -n web", "  form manage start -i 5f2c... --queue"})
public final class StartCommand extends MutatingCommand {
    @Override
    protected int run() {
        return submit("POST", ApiPaths.instanceAction(refSegment(), "start"), null,
                (p, json) -> p.line("started " + Instances.summary(Instances.view(json))));
    }
}
