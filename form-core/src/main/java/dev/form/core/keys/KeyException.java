package dev.form.core.keys;

/**
 * A key could not be loaded or used. The message is written for the user and never contains the secret
 * itself (no key, mnemonic, passphrase or password), only which input was wrong and what is expected.
 */
public class KeyException extends RuntimeException {

    /** What went wrong, so that callers can choose an exit code or HTTP status without parsing text. */
    public enum Reason {
        /** The flags or environment select no key, or more than one; a flag does not apply to the chosen source. */
        USAGE,
        /** No key source was given anywhere (flags, environment, config). */
        NO_KEY,
        INVALID_PRIVATE_KEY,
        INVALID_MNEMONIC,
        INVALID_DERIVATION_PATH,
        /** The keystore is well formed but its MAC does not match: the password is wrong. */
        WRONG_PASSWORD,
        /** The keystore file is not a valid Web3 Secret Storage v3 document. */
        MALFORMED_KEYSTORE,
        /** A file or stream could not be read or written, or no console is available for a prompt. */
        IO
    }

    private final Reason reason;

    public KeyException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public KeyException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
