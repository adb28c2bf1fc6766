package dev.form.cli.manage;

import dev.form.cli.SizeConverter;
import dev.form.cli.http.ServiceClient;
import dev.form.core.api.AddDiskRequest;
import dev.form.core.api.ApiPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "disk", description = "Hot-add a disk image to a running instance.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage add disk -n web --path data1.raw --size 10G --disk-id data1",
                "  form manage add disk -i 5f2c... --path /srv/images/ro.qcow2 --readonly --serial RO1",
                "  form manage add disk -n web --path logs.raw --size 1G --bw-size 10M --bw-refill-ms 1000",
                "  form manage add disk -n web --path data2.raw --size 2G --queue --wait --timeout 2m",
                "",
                "A relative --path lives under the service's data directory (volumes/); --size creates a sparse",
                "raw image when the file does not exist. Sizes are N[KMGT], binary (1G = 1024^3 bytes)."})
public final class AddDiskCommand extends MutatingCommand {
    @Option(names = "--path", required = true, paramLabel = "PATH", description = "The disk image on the service's host.")
    String path;

    @Option(names = "--readonly", description = "Attach read-only.")
    boolean readonly;

    @Option(names = "--direct", description = "Use O_DIRECT (bypass the host's page cache).")
    boolean direct;

    @Option(names = "--iommu", description = "Put the disk behind the virtual IOMMU.")
    boolean iommu;

    @Option(names = "--disk-id", paramLabel = "ID", description = "Id to give the disk (default: chosen by the service).")
    String diskId;

    @Option(names = "--size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Create a sparse raw image of this size if --path does not exist, e.g. 10G.")
    Long size;

    @Option(names = "--serial", paramLabel = "TEXT", description = "Serial number the guest sees.")
    String serial;

    @Option(names = "--num-queues", paramLabel = "N", description = "Number of virtio queues.")
    Integer numQueues;

    @Option(names = "--queue-size", paramLabel = "N", description = "Size of each virtio queue.")
    Integer queueSize;

    @Option(names = "--bw-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Bandwidth limit: bytes per refill period, e.g. 10M.")
    Long bwSize;

    @Option(names = "--bw-refill-ms", paramLabel = "MS", description = "Bandwidth limit: refill period in milliseconds.")
    Long bwRefillMs;

    @Option(names = "--bw-one-time-burst", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Bandwidth limit: extra bytes allowed once.")
    Long bwOneTimeBurst;

    @Option(names = "--ops-size", paramLabel = "N", description = "Operations limit: operations per refill period.")
    Long opsSize;

    @Option(names = "--ops-refill-ms", paramLabel = "MS", description = "Operations limit: refill period in milliseconds.")
    Long opsRefillMs;

    @Option(names = "--ops-one-time-burst", paramLabel = "N", description = "Operations limit: extra operations allowed once.")
    Long opsOneTimeBurst;

    @Override
    protected int run() {
        AddDiskRequest request = new AddDiskRequest(diskId, path, flag(readonly), flag(direct), flag(iommu), size, serial,
                numQueues, queueSize, RateLimits.of(bwSize, bwOneTimeBurst, bwRefillMs),
                RateLimits.of(opsSize, opsOneTimeBurst, opsRefillMs));
        return submit("POST", ApiPaths.resources(refSegment(), "disks"), ServiceClient.body(request),
                (p, json) -> p.line(Resources.attached(Resources.view(json), ref())));
    }

    static Boolean flag(boolean b) {
        return b ? Boolean.TRUE : null;
    }
}
