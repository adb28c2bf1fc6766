package dev.form.core.keys;

/**
 * The identity a command will sign with, and where it came from.
 *
 * @param credentials         the key
 * @param origin              flag, environment or config
 * @param source              human description of the source, e.g. "--keyfile /home/u/key.json" or
 *                            "FORM_MNEMONIC at m/44'/60'/0'/0/0"; never contains a secret
 * @param secretOnCommandLine true when a private key, mnemonic or passphrase was typed as a flag value: it
 *                            lands in shell history and process listings, and the CLI warns about it
 */
public record ResolvedKey(Credentials credentials, Origin origin, String source, boolean secretOnCommandLine) {

    public enum Origin { FLAG, ENVIRONMENT, CONFIG }

    public String address() {
        return credentials.address();
    }
}
