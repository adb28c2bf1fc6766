package dev.form.core.keys;

import java.nio.file.Path;

/**
 * The key-related command-line flags, each {@code null} when not given. A value of {@code "-"} for
 * {@code privateKey}, {@code mnemonic}, {@code passwordFile} or {@code passphrase} means "read it from
 * standard input" (only one of them can).
 *
 * @param privateKey     --private-key: 64 hex digits, optionally 0x-prefixed
 * @param keyfile        --keyfile: a Web3 Secret Storage v3 keystore
 * @param passwordFile   --password-file: file holding the keystore password (trailing line break ignored)
 * @param mnemonic       --mnemonic: BIP-39 words
 * @param derivationPath --derivation-path (mnemonic only; default m/44'/60'/0'/0/0)
 * @param passphrase     --passphrase: the BIP-39 passphrase (mnemonic only)
 */
public record KeySourceOptions(String privateKey, Path keyfile, String passwordFile, String mnemonic,
                               String derivationPath, String passphrase) {

    public static final String STDIN = "-";

    /** No flags at all: the environment or the config decide. */
    public static KeySourceOptions none() {
        return new KeySourceOptions(null, null, null, null, null, null);
    }

    public static KeySourceOptions privateKey(String hexOrDash) {
        return new KeySourceOptions(hexOrDash, null, null, null, null, null);
    }

    public static KeySourceOptions keyfile(Path keyfile, String passwordFile) {
        return new KeySourceOptions(null, keyfile, passwordFile, null, null, null);
    }

    public static KeySourceOptions mnemonic(String wordsOrDash, String derivationPath, String passphrase) {
        return new KeySourceOptions(null, null, null, wordsOrDash, derivationPath, passphrase);
    }

    /** Never shows a secret: only which flags were given. */
    @Override
    public String toString() {
        return "KeySourceOptions[privateKey=" + given(privateKey) + ", keyfile=" + keyfile
                + ", passwordFile=" + passwordFile + ", mnemonic=" + given(mnemonic)
                + ", derivationPath=" + derivationPath + ", passphrase=" + given(passphrase) + "]";
    }

    private static String given(String secret) {
        return secret == null ? "null" : STDIN.equals(secret) ? "(stdin)" : "(given)";
    }
}
