package dev.form.cli.wallet;

import dev.form.cli.BaseCommand;
import dev.form.cli.IdentityResolver;
import dev.form.cli.config.ConfigLoader;
import dev.form.core.keys.KeySourceOptions;
import dev.form.core.keys.ResolvedKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "import", description = "Write a private key or a mnemonic's key into a new keystore.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  FORM_PRIVATE_KEY=0x... form wallet import --out key.json",
                "  form wallet import --mnemonic - --out key.json < words.txt",
                "  FORM_MNEMONIC='...' form wallet import --derivation-path \"m/44'/60'/0'/0/3\" --out key3.json"})
public final class WalletImportCommand extends BaseCommand {
    @Option(names = "--private-key", paramLabel = "HEX|-", description = "The private key, or '-' for standard input (else FORM_PRIVATE_KEY).")
    String privateKey;

    @Option(names = "--mnemonic", paramLabel = "WORDS|-", description = "BIP-39 mnemonic, or '-' for standard input (else FORM_MNEMONIC).")
    String mnemonic;

    @Option(names = "--derivation-path", paramLabel = "PATH", description = "BIP-32 path for the mnemonic (default: m/44'/60'/0'/0/0).")
    String derivationPath;

    @Option(names = "--passphrase", paramLabel = "TEXT", description = "Optional BIP-39 passphrase.")
    String passphrase;

    @Option(names = "--out", paramLabel = "PATH", description = "Keystore file to create (default: ~/.config/form/keystore/UTC--<time>--<address>).")
    Path out;

    @Option(names = "--password-file", paramLabel = "PATH|-", description = "The new keystore's password. Else FORM_KEYSTORE_PASSWORD, else a prompt.")
    String passwordFile;

    @Option(names = "--test-only-cheap-kdf", hidden = true, description = "Weak scrypt parameters, for tests only.")
    boolean cheapKdf;

    @Override
    protected int run() {
        IdentityResolver resolver = new IdentityResolver(context(), ConfigLoader.load(context()));
        KeySourceOptions options = new KeySourceOptions(privateKey, null, null, mnemonic, derivationPath, passphrase);
        ResolvedKey key = resolver.resolveKey(options, false);
        Path file = KeystoreWriter.write(context(), resolver.keySources(), key.credentials(), out, passwordFile, cheapKdf);
        var printer = printer();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("address", key.address());
        json.put("keyfile", file.toString());
        printer.jsonValue(json);
        printer.line("imported " + key.address() + " into " + file);
        return 0;
    }
}
