package dev.form.cli.manage;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "remove", description = "Hot-remove a disk, share or device from an instance by its resource id.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage remove -n web data1",
                "  form manage remove -n web data1 --wait --timeout 30s",
                "  form manage remove -i 5f2c... gpu0 --queue",
                "",
                "The guest must release the device: without --wait the answer may say pending_removal;",
                "with --wait the service waits (up to --timeout) until the hypervisor no longer lists it."})
public final class RemoveCommand extends MutatingCommand {
    @Parameters(index = "0", paramLabel = "RESOURCE_ID", description = "The resource's id (see form manage show).")
    String resourceId;

    @Override
    protected int run() {
        return Removal.remove(this, resourceId);
    }
}
