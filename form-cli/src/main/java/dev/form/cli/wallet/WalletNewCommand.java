package dev.form.cli.wallet;

import dev.form.cli.BaseCommand;
import dev.form.cli.IdentityResolver;
import dev.form.cli.config.ConfigLoader;
import dev.form.core.keys.Credentials;
import dev.form.core.keys.DerivationPath;
import dev.form.core.keys.KeyException;
import dev.form.core.keys.Mnemonics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "new", description = "Create a new key and write it to an Ethereum keystore (Web3 Secret Storage v3, mode 0600).",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form wallet new",
                "  form wallet new --out ~/.config/form/keystore.json --password-file pw.txt",
                "  form wallet new --mnemonic-words 24 --out key.json   # also prints the words: write them down",
                "",
                "Then set keystore_path in ~/.config/form/config.json to sign with it by default."})
public final class WalletNewCommand extends BaseCommand {
    @Option(names = "--out", paramLabel = "PATH", description = "Keystore file to create (default: ~/.config/form/keystore/UTC--<time>--<address>).")
    Path out;

    @Option(names = "--password-file", paramLabel = "PATH|-", description = "The new keystore's password ('-': standard input). Else FORM_KEYSTORE_PASSWORD, else a prompt.")
    String passwordFile;

    @Option(names = "--mnemonic-words", paramLabel = "N", description = "Derive the key from a new BIP-39 mnemonic of N words (12, 15, 18, 21, 24) and print it once.")
    Integer mnemonicWords;

    @Option(names = "--test-only-cheap-kdf", hidden = true, description = "Weak scrypt parameters, for tests only.")
    boolean cheapKdf;

    @Override
    protected int run() {
        IdentityResolver resolver = new IdentityResolver(context(), ConfigLoader.load(context()));
        SecureRandom random = new SecureRandom();
        Credentials credentials;
        String mnemonic = null;
        try {
            if (mnemonicWords != null) {
                mnemonic = Mnemonics.generate(mnemonicWords, random);
                credentials = Mnemonics.toCredentials(mnemonic, null, DerivationPath.DEFAULT);
            } else {
                credentials = Credentials.generate(random);
            }
        } catch (KeyException e) {
            throw IdentityResolver.failure(e);
        } catch (IllegalArgumentException e) {
            throw dev.form.cli.CliFailure.usage("--mnemonic-words: " + e.getMessage(), "use 12, 15, 18, 21 or 24");
        }
        Path file = KeystoreWriter.write(context(), resolver.keySources(), credentials, out, passwordFile, cheapKdf);
        var printer = printer();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("address", credentials.address());
        json.put("keyfile", file.toString());
        if (mnemonic != null) json.put("mnemonic", mnemonic);
        printer.jsonValue(json);
        printer.line("created " + credentials.address() + " in " + file);
        if (mnemonic != null) printer.line("mnemonic (write it down, it is shown only once): " + mnemonic);
        return 0;
    }
}
