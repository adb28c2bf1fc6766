package dev.form.cli.manage;

import dev.form.cli.http.ServiceClient;
import dev.form.core.api.AddDeviceRequest;
import dev.form.core.api.ApiPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "device", description = "Hot-add a host PCI device (VFIO passthrough) to a running instance.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage add device -n web --path 0000:01:00.0",
                "  form manage add device -n web --path /sys/bus/pci/devices/0000:01:00.0 --device-id gpu0",
                "",
                "The device must be bound to vfio-pci and allowed by the service's host policy."})
public final class AddDeviceCommand extends MutatingCommand {
    @Option(names = "--path", required = true, paramLabel = "PATH|BDF",
            description = "The device: a sysfs path or a PCI address such as 0000:01:00.0.")
    String path;

    @Option(names = "--device-id", paramLabel = "ID", description = "Id to give the attached device (default: chosen by the service).")
    String deviceId;

    @Option(names = "--iommu", description = "Put the device behind the virtual IOMMU.")
    boolean iommu;

    @Override
    protected int run() {
        AddDeviceRequest request = new AddDeviceRequest(deviceId, path, AddDiskCommand.flag(iommu));
        return submit("POST", ApiPaths.resources(refSegment(), "devices"), ServiceClient.body(request),
                (p, json) -> p.line(Resources.attached(Resources.view(json), ref())));
    }
}
