package dev.form.cli.manage;

import dev.form.cli.http.PathSegments;
import dev.form.core.api.ApiPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "revoke", description = "Take an address's access to an instance away (owner only).",
        footerHeading = "%nExamples:%n",
        footer = {"  form manage revoke -n web --address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8"})
public final class RevokeCommand extends MutatingCommand {
    @Option(names = "--address", required = true, paramLabel = "0x...", description = "The address whose grant to remove.")
    String address;

    @Override
    protected int run() {
        String checked = GrantCommand.checkedAddress(address);
        return submit("DELETE", ApiPaths.grant(refSegment(), PathSegments.encode(checked)), null,
                (p, json) -> p.line("revoked the grant of " + checked + " on " + ref()));
    }
}
