package dev.form.cli.manage;

import dev.form.cli.CliFailure;
import dev.form.cli.http.PathSegments;
import dev.form.cli.http.ServiceClient;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.GrantRequest;
import dev.form.core.keys.Addresses;
import dev.form.core.model.AccessLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "grant", description = "Give another address a level of access to an instance (owner only).",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage grant -n web --address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --level manager",
                "",
                "Levels: readonly (view), operator (start, stop), manager (add, remove, resize), owner (delete, grants)."})
public final class GrantCommand extends MutatingCommand {
    @Option(names = "--address", required = true, paramLabel = "0x...", description = "The Ethereum address to grant to.")
    String address;

    @Option(names = "--level", required = true, paramLabel = "LEVEL", description = "readonly, operator, manager or owner.")
    String level;

    @Override
    protected int run() {
        String checked = checkedAddress(address);
        String wireLevel;
        try {
            wireLevel = AccessLevel.fromWire(level).wireName();
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("--level: " + e.getMessage(), null);
        }
        return submit("PUT", ApiPaths.grant(refSegment(), PathSegments.encode(checked)),
                ServiceClient.body(new GrantRequest(wireLevel)),
                (p, json) -> p.line("granted " + wireLevel + " on " + ref() + " to " + checked));
    }

    static String checkedAddress(String address) {
        try {
            return Addresses.parse(address);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("--address: " + e.getMessage(), "e.g. --address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        }
    }
}
