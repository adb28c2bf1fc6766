package dev.form.cli.vmm;

import dev.form.cli.BaseCommand;
import dev.form.cli.CliFailure;
import dev.form.cli.DurationConverter;
import dev.form.core.keys.Addresses;
import dev.form.hypervisor.HypervisorKind;
import dev.form.vmm.VmmServer;
import dev.form.vmm.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "serve", description = "Run the VMM service in the foreground until stopped (SIGTERM or Ctrl-C leave the VMs running).",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form vmm serve --data-dir /var/lib/form --admin 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                "  form vmm serve --data-dir ./vmm --listen 127.0.0.1:3002 --hypervisor qemu",
                "  form vmm serve --config /etc/form/vmm.json",
                "",
                "Admins may create and adopt instances; every other right comes from owning an instance or a grant.",
                "Flags win over the config file. Beyond loopback the service needs TLS (--tls-keystore)."})
public final class VmmServeCommand extends BaseCommand {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Registry, images, sockets and consoles (default: ~/.local/share/form/vmm).")
    Path dataDir;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where to serve the API (default: 127.0.0.1:3002; port 0 picks a free one).")
    String listen;

    @Option(names = "--config", paramLabel = "FILE", description = "The service's JSON config file.")
    Path config;

    @Option(names = "--hypervisor", paramLabel = "KIND", description = "cloud-hypervisor or qemu (default: Cloud Hypervisor with KVM, else QEMU).")
    String hypervisor;

    @Option(names = "--cloud-hypervisor-bin", paramLabel = "PATH", description = "The cloud-hypervisor executable.")
    Path cloudHypervisorBin;

    @Option(names = "--qemu-bin", paramLabel = "PATH", description = "The qemu-system executable.")
    Path qemuBin;

    @Option(names = "--virtiofsd-bin", paramLabel = "PATH", description = "The virtiofsd executable.")
    Path virtiofsdBin;

    @Option(names = "--admin", paramLabel = "ADDRESS", description = "An address allowed to create and adopt instances (repeatable).")
    List<String> admins = new ArrayList<>();

    @Option(names = "--removal-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a removal waits for the guest by default (e.g. 10s).")
    Duration removalTimeout;

    @Option(names = "--tls-keystore", paramLabel = "PATH", description = "PKCS#12 keystore: serve HTTPS.")
    Path tlsKeystore;

    @Option(names = "--tls-password-file", paramLabel = "PATH", description = "File holding the TLS keystore's password.")
    Path tlsPasswordFile;

    @Option(names = "--insecure-listen", description = "Allow plain HTTP beyond loopback (requests stay signed, but readable on the network).")
    boolean insecureListen;

    @Override
    protected int run() throws Exception {
        // The service's own log lines are its progress report; the CLI elsewhere keeps libraries quiet.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        VmmServer.Options options = options();
        VmmServer server = new VmmServer(options);
        Thread hook = new Thread(server::close, "form-vmm-shutdown");
        try {
            server.start();
        } catch (ConfigException | IllegalArgumentException e) {
            server.close();
            throw CliFailure.usage(e.getMessage(), "see 'form vmm serve --help'");
        }
        Runtime.getRuntime().addShutdownHook(hook);
        var printer = printer();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("port", server.port());
        printer.jsonValue(json);
        printer.line("form VMM service listening on port " + server.port());
        server.awaitShutdown();
        return 0;
    }

    VmmServer.Options options() {
        VmmServer.Options o = VmmServer.Options.defaults(dataDir);
        try {
            if (listen != null) {
                String[] hp = VmmServer.Options.parseListen(listen);
                o = o.withListen(hp[0], Integer.parseInt(hp[1]));
            }
            if (config != null) o = o.withConfigFile(config);
            List<String> checked = new ArrayList<>();
            for (String a : admins) {
                try {
                    checked.add(Addresses.parse(a));
                } catch (IllegalArgumentException e) {
                    throw CliFailure.usage("--admin " + a + ": " + e.getMessage(), null);
                }
            }
            o = o.withAdmins(checked);
            HypervisorKind kind = hypervisor == null ? null : HypervisorKind.fromWire(hypervisor);
            o = o.withHypervisor(kind, cloudHypervisorBin, qemuBin);
            if (virtiofsdBin != null) o = o.withVirtiofsd(virtiofsdBin);
            if (removalTimeout != null) o = o.withTimeouts(removalTimeout, o.stopTimeout());
            if (tlsKeystore != null) {
                String password = tlsPasswordFile == null ? null : Files.readString(tlsPasswordFile, StandardCharsets.UTF_8).strip();
                o = o.withTls(tlsKeystore, password);
            }
            return o.withInsecureListen(insecureListen);
        } catch (ConfigException | IllegalArgumentException e) {
            throw CliFailure.usage(e.getMessage(), "see 'form vmm serve --help'");
        } catch (java.io.IOException e) {
            throw CliFailure.usage("cannot read --tls-password-file " + tlsPasswordFile + ": " + e.getMessage(), null);
        }
    }
}
