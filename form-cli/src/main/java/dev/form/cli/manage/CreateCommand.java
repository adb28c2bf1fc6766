package dev.form.cli.manage;

import dev.form.cli.ServiceCommand;
import dev.form.cli.SizeConverter;
import dev.form.cli.http.ServiceClient;
import dev.form.cli.http.ServiceResponse;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.CreateInstanceRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

@Command(name = "create", description = "Create an instance (a VM) on the service's host; you become its owner.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage create --name web --kernel /srv/vmlinuz --initramfs /srv/initrd.img --cmdline 'console=ttyS0' \\",
                "      --cpus 2 --memory 512M --max-cpus 4 --max-memory 2G --autostart",
                "  form manage create --name db --kernel /srv/vmlinuz --disk /srv/images/db.raw --no-shared-memory",
                "",
                "Shared memory is on by default so that virtio-fs shares can be hot-added later;",
                "--max-cpus and --max-memory are the headroom 'form manage resize' may use."})
public final class CreateCommand extends ServiceCommand {
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The instance's name (unique on the host).")
    String name;

    @Option(names = "--kernel", paramLabel = "PATH", description = "Kernel image on the service's host.")
    String kernel;

    @Option(names = "--initramfs", paramLabel = "PATH", description = "Initramfs on the service's host.")
    String initramfs;

    @Option(names = "--cmdline", paramLabel = "TEXT", description = "Kernel command line.")
    String cmdline;

    @Option(names = "--disk", paramLabel = "PATH", description = "A boot disk image (repeatable).")
    List<String> disks;

    @Option(names = "--cpus", paramLabel = "N", description = "Virtual CPUs at boot.")
    Integer cpus;

    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeConverter.class, description = "Memory at boot, e.g. 512M.")
    Long memory;

    @Option(names = "--max-cpus", paramLabel = "N", description = "Most virtual CPUs resize may give.")
    Integer maxCpus;

    @Option(names = "--max-memory", paramLabel = "SIZE", converter = SizeConverter.class, description = "Most memory resize may give, e.g. 2G.")
    Long maxMemory;

    @Option(names = "--no-shared-memory", description = "Do not back memory with shared pages (virtio-fs shares then cannot be added).")
    boolean noSharedMemory;

    @Option(names = "--autostart", description = "Start the instance right away and whenever the service starts.")
    boolean autostart;

    @Override
    protected int run() {
        CreateInstanceRequest request = new CreateInstanceRequest(name, kernel, initramfs, cmdline, disks, cpus, maxCpus,
                memory, maxMemory, noSharedMemory ? Boolean.FALSE : null, autostart ? Boolean.TRUE : null);
        ServiceResponse response = client().send("POST", ApiPaths.INSTANCES, ServiceClient.body(request));
        var printer = printer();
        printer.jsonValue(response.json());
        printer.line("created " + Instances.summary(Instances.view(response.json())));
        return 0;
    }
}
