package dev.form.cli.wallet;

import dev.form.cli.BaseCommand;
import dev.form.cli.IdentityOptions;
import dev.form.cli.IdentityResolver;
import dev.form.cli.config.ConfigLoader;
import dev.form.core.keys.ResolvedKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "address", description = "Print the checksummed address of the identity the flags, environment or config select.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form wallet address",
                "  form wallet address --keyfile key.json --password-file pw.txt",
                "  FORM_MNEMONIC='test test ... junk' form wallet address --derivation-path \"m/44'/60'/0'/0/1\""})
public final class WalletAddressCommand extends BaseCommand {
    @Mixin
    IdentityOptions identity;

    @Override
    protected int run() {
        ResolvedKey key = new IdentityResolver(context(), ConfigLoader.load(context())).resolveKey(identity.toKeySourceOptions());
        var printer = printer();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("address", key.address());
        json.put("source", key.source());
        json.put("origin", key.origin().name().toLowerCase(java.util.Locale.ROOT));
        printer.jsonValue(json);
        printer.line(key.address());
        return 0;
    }
}
