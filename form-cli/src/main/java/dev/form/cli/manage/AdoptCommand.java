package dev.form.cli.manage;

import dev.form.cli.ServiceCommand;
import dev.form.cli.http.ServiceClient;
import dev.form.cli.http.ServiceResponse;
import dev.form.core.api.AdoptInstanceRequest;
import dev.form.core.api.ApiPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "adopt", description = "Take over a Cloud Hypervisor VM that already runs, by its API socket; you become its owner.",
        footerHeading = "%nExamples:%n",
        footer = {"  form manage adopt --name legacy --api-socket /run/ch/legacy.sock"})
public final class AdoptCommand extends ServiceCommand {
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Name to give the instance.")
    String name;

    @Option(names = "--api-socket", required = true, paramLabel = "PATH", description = "The running VM's Cloud Hypervisor API socket.")
    String apiSocket;

    @Override
    protected int run() {
        ServiceResponse response = client().send("POST", ApiPaths.ADOPT, ServiceClient.body(new AdoptInstanceRequest(name, apiSocket)));
        var printer = printer();
        printer.jsonValue(response.json());
        printer.line("adopted " + Instances.summary(Instances.view(response.json())));
        return 0;
    }
}
