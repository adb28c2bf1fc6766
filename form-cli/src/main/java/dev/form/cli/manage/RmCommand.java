package dev.form.cli.manage;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rm", description = "Hot-remove by kind, as the original form CLI spelled it (same as remove).",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage rm disk -n web --disk-id data1",
                "  form manage rm fs -n web --fs-id shared --wait",
                "  form manage rm device -n web --device-id gpu0"})
public final class RmCommand {

    @Command(name = "disk", description = "Hot-remove a disk.",
            footerHeading = "%nExamples:%n", footer = {"  form manage rm disk -n web --disk-id data1 --wait"})
    public static final class Disk extends MutatingCommand {
        @Option(names = "--disk-id", required = true, paramLabel = "ID", description = "The disk's id.")
        String id;

        @Override
        protected int run() {
            return Removal.remove(this, id);
        }
    }

    @Command(name = "fs", description = "Hot-remove a virtio-fs share.",
            footerHeading = "%nExamples:%n", footer = {"  form manage rm fs -n web --fs-id shared --wait"})
    public static final class Fs extends MutatingCommand {
        @Option(names = "--fs-id", required = true, paramLabel = "ID", description = "The share's id.")
        String id;

        @Override
        protected int run() {
            return Removal.remove(this, id);
        }
    }

    @Command(name = "device", description = "Hot-remove a PCI device.",
            footerHeading = "%nExamples:%n", footer = {"  form manage rm device -n web --device-id gpu0 --wait"})
    public static final class Device extends MutatingCommand {
        @Option(names = "--device-id", required = true, paramLabel = "ID", description = "The device's id.")
        String id;

        @Override
        protected int run() {
            return Removal.remove(this, id);
        }
    }
}
