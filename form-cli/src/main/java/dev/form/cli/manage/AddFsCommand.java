package dev.form.cli.manage;

import dev.form.cli.http.ServiceClient;
import dev.form.core.api.AddFsRequest;
import dev.form.core.api.ApiPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fs", description = "Hot-add a virtio-fs share of a host directory to a running instance.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage add fs -n web --source /srv/shared --tag shared",
                "  form manage add fs -n web --source /srv/www --tag www --fs-id www --num-queues 1 --queue-size 1024",
                "  form manage add fs -i 5f2c... --tag x --socket /run/form/sockets/virtiofsd-x.sock",
                "",
                "Give --source (the service starts a virtiofsd for it) or --socket (a virtiofsd that already runs).",
                "In the guest: mount -t virtiofs TAG /mnt"})
public final class AddFsCommand extends MutatingCommand {
    @Option(names = "--source", paramLabel = "DIR", description = "Directory on the service's host to share (or give --socket).")
    String source;

    @Option(names = "--tag", required = true, paramLabel = "TAG", description = "Mount tag the guest uses to mount the share.")
    String tag;

    @Option(names = "--socket", paramLabel = "PATH", description = "Socket of an already running virtiofsd to use instead of starting one.")
    String socket;

    @Option(names = "--fs-id", paramLabel = "ID", description = "Id to give the share (default: chosen by the service).")
    String fsId;

    @Option(names = "--num-queues", paramLabel = "N", description = "Number of virtio queues.")
    Integer numQueues;

    @Option(names = "--queue-size", paramLabel = "N", description = "Size of each virtio queue.")
    Integer queueSize;

    @Override
    protected int run() {
        AddFsRequest request = new AddFsRequest(fsId, source, tag, socket, numQueues, queueSize);
        return submit("POST", ApiPaths.resources(refSegment(), "filesystems"), ServiceClient.body(request),
                (p, json) -> p.line(Resources.attached(Resources.view(json), ref())));
    }
}
