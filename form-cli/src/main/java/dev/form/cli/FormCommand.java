package dev.form.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** The root; its subcommands are attached by {@link CommandTree}. */
@Command(name = "form", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, version = "form 0.1.0",
        description = "Grow running VMs without a restart: hot-add disks, virtio-fs shares and PCI devices, every request signed with your key.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form vmm serve --data-dir /var/lib/form",
                "  form wallet new",
                "  export FORM_PRIVATE_KEY=0x...",
                "  form manage add disk -n web --path data1.raw --size 10G",
                "",
                "The service: --host, else FORM_HOST, else the config's hosts[0] and vmm_port ($FORMKIT or",
                "~/.config/form/config.json), else http://127.0.0.1:3002.",
                "Exit codes: 0 ok, 1 service failure, 2 usage or invalid input, 3 refused (401/403), 4 not found,",
                "5 conflict or wrong state, 6 hypervisor refused, 7 service unreachable or timed out."})
public final class FormCommand {
    private final CliContext context;

    public FormCommand() {
        this(CliContext.system());
    }

    public FormCommand(CliContext context) {
        this.context = context;
    }

    public CliContext context() {
        return context;
    }
}
