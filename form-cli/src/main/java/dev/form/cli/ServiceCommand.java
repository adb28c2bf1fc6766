package dev.form.cli;

import dev.form.cli.config.CliConfig;
import dev.form.cli.config.ConfigLoader;
import dev.form.cli.config.ServiceAddress;
import dev.form.cli.http.ServiceClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Duration;

/** A command that talks to the service: --host and the identity flags that sign its requests. */
public abstract class ServiceCommand extends BaseCommand {
    @Option(names = "--host", paramLabel = "URL",
            description = "The form service, e.g. http://10.0.0.5:3002. Else FORM_HOST, else the config's hosts[0] and vmm_port, else http://127.0.0.1:3002.")
    String host;

    @Mixin
    protected IdentityOptions identity;

    private CliConfig config;
    private ServiceClient client;

    protected CliConfig config() {
        if (config == null) config = ConfigLoader.load(context());
        return config;
    }

    protected URI serviceAddress() {
        return ServiceAddress.resolve(host, context().env(ServiceAddress.ENV_HOST), config());
    }

    /** How long one exchange may take; commands that wait on the server side extend it. */
    protected Duration requestTimeout() {
        return Duration.ofSeconds(60);
    }

    protected ServiceClient client() {
        if (client == null) {
            CliContext ctx = context();
            client = new ServiceClient(serviceAddress(),
                    () -> new IdentityResolver(ctx, config()).resolve(identity),
                    requestTimeout(), output.debug() ? ctx.err() : null);
        }
        return client;
    }
}
