package dev.form.cli.manage;

import picocli.CommandLine.Command;

@Command(name = "manage", description = "Manage instances and hot-add or remove their disks, shares and devices.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage create --name web --kernel /srv/vmlinuz --initramfs /srv/initrd.img --memory 512M",
                "  form manage add disk -n web --path data1.raw --size 1G --disk-id data1",
                "  form manage show -n web",
                "  form manage remove -n web data1 --wait"})
public final class ManageCommand {
}
