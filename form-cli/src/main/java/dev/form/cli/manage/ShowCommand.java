package dev.form.cli.manage;

import dev.form.cli.InstanceCommand;
import dev.form.cli.http.ServiceResponse;
import dev.form.cli.output.Table;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.GrantView;
import dev.form.core.api.InstanceView;
import dev.form.core.api.ResourceView;
import dev.form.core.util.Sizes;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

@Command(name = "show", description = "Show an instance: its state, size, hot-added resources and grants.",
        footerHeading = "%nExamples:%n", footer = {"  form manage show -n web", "  form manage show -i 5f2c... --json"})
public final class ShowCommand extends InstanceCommand {
    @Override
    protected int run() {
        ServiceResponse response = client().send("GET", ApiPaths.instance(refSegment()), null);
        var printer = printer();
        if (printer.json()) {
            printer.jsonValue(response.json());
            return 0;
        }
        InstanceView v = Instances.view(response.json());
        PrintWriter out = printer.writer();
        out.println("name:        " + v.name());
        out.println("id:          " + v.id());
        out.println("state:       " + v.state());
        out.println("owner:       " + v.owner());
        out.println("hypervisor:  " + v.hypervisor());
        out.println("cpus:        " + v.cpus() + " (max " + v.maxCpus() + ")");
        out.println("memory:      " + Sizes.format(v.memoryBytes()) + " (max " + Sizes.format(v.maxMemoryBytes()) + ")");
        out.println("shared mem:  " + (v.sharedMemory() ? "yes" : "no"));
        out.println("autostart:   " + (v.autostart() ? "yes" : "no"));
        out.println("created:     " + v.createdAt());
        if (v.resources() == null || v.resources().isEmpty()) {
            out.println("resources:   none");
        } else {
            out.println("resources:");
            Table t = new Table("  ID", "KIND", "STATE", "PCI", "DETAIL");
            for (ResourceView r : v.resources()) t.row("  " + r.id(), r.kind(), r.state(), r.pciAddress(), detail(r));
            t.print(out);
        }
        if (v.grants() != null && !v.grants().isEmpty()) {
            out.println("grants:");
            Table t = new Table("  ADDRESS", "LEVEL");
            for (GrantView g : v.grants()) t.row("  " + g.address(), g.level());
            t.print(out);
        }
        out.flush();
        return 0;
    }

    static String detail(ResourceView r) {
        return switch (r.kind() == null ? "" : r.kind()) {
            case "disk" -> r.path() + (r.sizeBytes() != null ? " " + Sizes.format(r.sizeBytes()) : "")
                    + (r.format() != null ? " " + r.format() : "") + (Boolean.TRUE.equals(r.readonly()) ? " ro" : "");
            case "fs" -> r.source() + " tag=" + r.tag();
            default -> r.path() == null ? "" : r.path();
        };
    }
}
