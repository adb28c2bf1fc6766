package dev.form.cli;

import dev.form.core.keys.KeySourceOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The identity flags of every command that signs (see form wallet --help for the precedence). */
public final class IdentityOptions {
    @Option(names = "--private-key", paramLabel = "HEX|-",
            description = "Private key as 64 hex digits (0x optional), or '-' to read it from standard input. "
                    + "Prefer FORM_PRIVATE_KEY: a key typed here lands in shell history.")
    String privateKey;

    @Option(names = "--keyfile", paramLabel = "PATH",
            description = "Ethereum keystore (Web3 Secret Storage v3) holding the key. Default: the config's keystore_path.")
    Path keyfile;

    @Option(names = "--password-file", paramLabel = "PATH|-",
            description = "File holding the keystore's password ('-': standard input). Else FORM_KEYSTORE_PASSWORD, else a prompt.")
    String passwordFile;

    @Option(names = "--mnemonic", paramLabel = "WORDS|-",
            description = "BIP-39 mnemonic, or '-' for standard input. Prefer FORM_MNEMONIC.")
    String mnemonic;

    @Option(names = "--derivation-path", paramLabel = "PATH",
            description = "BIP-32 path for --mnemonic (default: m/44'/60'/0'/0/0).")
    String derivationPath;

    @Option(names = "--passphrase", paramLabel = "TEXT",
            description = "Optional BIP-39 passphrase for --mnemonic.")
    String passphrase;

    /** The flags as the key sources take them. */
    public KeySourceOptions toKeySourceOptions() {
        return new KeySourceOptions(privateKey, keyfile, passwordFile, mnemonic, derivationPath, passphrase);
    }

    public String privateKey() {
        return privateKey;
    }

    public Path keyfile() {
        return keyfile;
    }

    public String passwordFile() {
        return passwordFile;
    }

    public String mnemonic() {
        return mnemonic;
    }

    public String derivationPath() {
        return derivationPath;
    }

    public String passphrase() {
        return passphrase;
    }
}
