package dev.form.cli.wallet;

import picocli.CommandLine.Command;

@Command(name = "wallet", description = "Create, import and inspect the key that signs your requests.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form wallet new --out ~/.config/form/keystore.json",
                "  form wallet address --keyfile ~/.config/form/keystore.json",
                "  FORM_MNEMONIC='...' form wallet import --out key.json",
                "",
                "Which key signs: a flag (--private-key, --keyfile, --mnemonic), else FORM_PRIVATE_KEY or FORM_MNEMONIC,",
                "else the config's keystore_path. A keystore's password: --password-file, else FORM_KEYSTORE_PASSWORD,",
                "else a prompt."})
public final class WalletCommand {
}
