package dev.form.cli.manage;

import picocli.CommandLine.Command;

@Command(name = "add", description = "Hot-add a disk, a virtio-fs share or a PCI device to a running instance.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage add disk -n web --path data1.raw --size 10G",
                "  form manage add fs -n web --source /srv/shared --tag shared",
                "  form manage add device -n web --path 0000:01:00.0"})
public final class AddCommand {
}
