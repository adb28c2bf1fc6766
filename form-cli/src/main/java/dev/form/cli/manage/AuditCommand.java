package dev.form.cli.manage;

import dev.form.cli.InstanceCommand;
import dev.form.cli.http.ServiceResponse;
import dev.form.cli.output.Table;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.AuditEntry;
import picocli.CommandLine.Command;

import java.util.List;

@Command(name = "audit", description = "Show an instance's audit log: who did what, when, and how it ended.",
        footerHeading = "%nExamples:%n", footer = {"  form manage audit -n web", "  form manage audit -n web --json"})
public final class AuditCommand extends InstanceCommand {
    @Override
    protected int run() throws Exception {
        ServiceResponse response = client().send("GET", ApiPaths.instanceAction(refSegment(), "audit"), null);
        var printer = printer();
        if (printer.json()) {
            printer.jsonValue(response.json());
            return 0;
        }
        List<AuditEntry> entries = response.recordsOf(AuditEntry.class);
        Table t = new Table("SEQ", "AT", "CALLER", "OPERATION", "RESOURCE", "OUTCOME", "STATUS");
        for (AuditEntry e : entries)
            t.row(e.seq(), e.at(), e.caller(), e.operation(), e.resourceId(), e.outcome(), e.status());
        t.print(printer.writer());
        return 0;
    }
}
