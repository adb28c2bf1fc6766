package dev.form.cli.manage;

import dev.form.core.api.ApiPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "delete", description = "Stop an instance and forget it.",
        footerHeading = "%nExamples:%n", footer = {"  form manage delete -n web", "  form manage delete -n web --purge"})
public final class DeleteCommand extends MutatingCommand {
    @Option(names = "--purge", description = "Also delete the disk images the service created for it.")
    boolean purge;

    @Override
    protected int run() {
        String target = ApiPaths.instance(refSegment()) + (purge ? "?purge=true" : "");
        return submit("DELETE", target, null,
                (p, json) -> p.line("deleted " + ref() + (purge ? " and the images the service created for it" : "")));
    }
}
