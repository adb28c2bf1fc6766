package dev.form.cli.vmm;

import picocli.CommandLine.Command;

@Command(name = "vmm", description = "Run the VMM service that owns this host's VMs.",
        footerHeading = "%nExamples:%n",
        footer = {"  form vmm serve --data-dir /var/lib/form --listen 127.0.0.1:3002"})
public final class VmmCommand {
}
