package dev.form.cli.manage;

import dev.form.cli.ServiceCommand;
import dev.form.cli.http.ServiceResponse;
import dev.form.cli.output.Table;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.InstanceSummary;
import dev.form.core.util.Sizes;
import picocli.CommandLine.Command;

import java.util.List;

@Command(name = "list", aliases = "ls", description = "List the instances you may see.",
        footerHeading = "%nExamples:%n", footer = {"  form manage list", "  form manage list --json | jq -r '.[].name'"})
public final class ListCommand extends ServiceCommand {
    @Override
    protected int run() throws Exception {
        ServiceResponse response = client().send("GET", ApiPaths.INSTANCES, null);
        var printer = printer();
        if (printer.json()) {
            printer.jsonValue(response.json());
            return 0;
        }
        List<InstanceSummary> all = response.recordsOf(InstanceSummary.class);
        if (all.isEmpty()) {
            printer.line("no instances (create one with: form manage create --name NAME --kernel PATH)");
            return 0;
        }
        Table t = new Table("NAME", "ID", "STATE", "CPUS", "MEMORY", "RESOURCES", "OWNER");
        for (InstanceSummary s : all)
            t.row(s.name(), s.id(), s.state(), s.cpus(), Sizes.format(s.memoryBytes()), s.resources(), s.owner());
        t.print(printer.writer());
        return 0;
    }
}
