package dev.form.core.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Picks the key a command signs with. Precedence: an explicit flag ({@code --private-key}, {@code --keyfile},
 * {@code --mnemonic}), then the environment ({@code FORM_PRIVATE_KEY}, {@code FORM_MNEMONIC}), then the
 * CLI config's {@code keystore_path}. Two explicit sources at the same level are a usage error naming both:
 * guessing which one was meant could sign with the wrong identity.
 * <p>
 * A keystore's password comes from {@code --password-file} (a path, or {@code -} for standard input), else
 * {@code FORM_KEYSTORE_PASSWORD}, else the {@link PasswordPrompt}.
 */
public final class KeySources {
    public static final String ENV_PRIVATE_KEY = "FORM_PRIVATE_KEY";
    public static final String ENV_MNEMONIC = "FORM_MNEMONIC";
    public static final String ENV_KEYSTORE_PASSWORD = "FORM_KEYSTORE_PASSWORD";

    private static final int MAX_SECRET_INPUT = 64 * 1024;

    private final Map<String, String> environment;
    private final InputStream stdin;
    private final PasswordPrompt prompt;

    /**
     * @param environment the process environment (System.getenv() in production)
     * @param stdin       where {@code -} reads secrets from
     * @param prompt      asks for a keystore password when no other source gives one
     */
    public KeySources(Map<String, String> environment, InputStream stdin, PasswordPrompt prompt) {
        this.environment = Map.copyOf(environment);
        this.stdin = stdin;
        this.prompt = prompt;
    }

    /** The real process: its environment, standard input and terminal. */
    public static KeySources system() {
        return new KeySources(System.getenv(), System.in, PasswordPrompt.console());
    }

    /**
     * @param flags          the flags as given ({@link KeySourceOptions#none()} for none)
     * @param configKeystore the CLI config's keystore_path, or {@code null}
     * @throws KeyException USAGE for conflicting or misplaced flags, NO_KEY when nothing selects a key, or the
     *                      reason the selected key could not be loaded; messages never contain a secret
     */
    public ResolvedKey resolve(KeySourceOptions flags, Path configKeystore) {
        checkSingleStdinUse(flags);
        List<String> explicit = new ArrayList<>();
        if (flags.privateKey() != null) explicit.add("--private-key");
        if (flags.keyfile() != null) explicit.add("--keyfile");
        if (flags.mnemonic() != null) explicit.add("--mnemonic");
        if (explicit.size() > 1) {
            throw new KeyException(KeyException.Reason.USAGE, "choose one key source: " + String.join(" and ", explicit)
                    + " were both given");
        }
        if (explicit.size() == 1) {
            return switch (explicit.get(0)) {
                case "--private-key" -> {
                    rejectMnemonicOnlyFlags(flags, "--private-key");
                    rejectPasswordFile(flags, "--private-key");
                    boolean typed = !KeySourceOptions.STDIN.equals(flags.privateKey());
                    Credentials c = Credentials.fromPrivateKeyHex(secretValue(flags.privateKey(), "--private-key"));
                    yield new ResolvedKey(c, ResolvedKey.Origin.FLAG, typed ? "--private-key" : "--private-key (standard input)", typed);
                }
                case "--keyfile" -> {
                    rejectMnemonicOnlyFlags(flags, "--keyfile");
                    Credentials c = fromKeystore(flags.keyfile(), flags.passwordFile());
                    yield new ResolvedKey(c, ResolvedKey.Origin.FLAG, "--keyfile " + flags.keyfile(), false);
                }
                default -> {
                    rejectPasswordFile(flags, "--mnemonic");
                    boolean typed = !KeySourceOptions.STDIN.equals(flags.mnemonic());
                    yield fromMnemonic(secretValue(flags.mnemonic(), "--mnemonic"), flags, ResolvedKey.Origin.FLAG,
                            typed ? "--mnemonic" : "--mnemonic (standard input)", typed);
                }
            };
        }

        String envKey = env(ENV_PRIVATE_KEY);
        String envMnemonic = env(ENV_MNEMONIC);
        if (envKey != null && envMnemonic != null) {
            throw new KeyException(KeyException.Reason.USAGE, "both " + ENV_PRIVATE_KEY + " and " + ENV_MNEMONIC
                    + " are set; unset one, or choose with --private-key, --keyfile or --mnemonic");
        }
        if (envKey != null) {
            rejectMnemonicOnlyFlags(flags, ENV_PRIVATE_KEY);
            rejectPasswordFile(flags, ENV_PRIVATE_KEY);
            Credentials c;
            try {
                c = Credentials.fromPrivateKeyHex(envKey);
            } catch (KeyException e) {
                throw new KeyException(e.reason(), ENV_PRIVATE_KEY + ": " + e.getMessage());
            }
            return new ResolvedKey(c, ResolvedKey.Origin.ENVIRONMENT, ENV_PRIVATE_KEY, false);
        }
        if (envMnemonic != null) {
            rejectPasswordFile(flags, ENV_MNEMONIC);
            return fromMnemonic(envMnemonic, flags, ResolvedKey.Origin.ENVIRONMENT, ENV_MNEMONIC, false);
        }
        if (configKeystore != null) {
            rejectMnemonicOnlyFlags(flags, "the config's keystore_path");
            Credentials c = fromKeystore(configKeystore, flags.passwordFile());
            return new ResolvedKey(c, ResolvedKey.Origin.CONFIG, "config keystore_path " + configKeystore,
                    false);
        }
        throw new KeyException(KeyException.Reason.NO_KEY, "no key to sign with: pass --private-key, --keyfile or"
                + " --mnemonic, set " + ENV_PRIVATE_KEY + " or " + ENV_MNEMONIC
                + ", or set keystore_path in the CLI config (form wallet new creates a keystore)");
    }

    /**
     * Decrypts a keystore file, asking for its password the usual way.
     *
     * @param passwordFile --password-file (path or {@code -}), or {@code null}
     */
    public Credentials fromKeystore(Path keyfile, String passwordFile) {
        String json = KeystoreFile.read(keyfile);
        char[] password = keystorePassword(passwordFile, "Password for keystore " + keyfile + ": ");
        try {
            return Keystore.decrypt(json, password);
        } catch (KeyException e) {
            throw new KeyException(e.reason(), "keystore " + keyfile + ": " + e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /**
     * A keystore password from {@code --password-file} (path or {@code -}), else {@code FORM_KEYSTORE_PASSWORD},
     * else the prompt. Also what {@code form wallet new} and {@code import} use for the new keystore's password.
     * A single trailing line break of a password file or standard input is not part of the password.
     *
     * @return the password; the caller wipes it
     */
    public char[] keystorePassword(String passwordFile, String promptText) {
        if (passwordFile != null) {
            String text = KeySourceOptions.STDIN.equals(passwordFile) ? readStdin("--password-file -")
                    : readPasswordFile(Path.of(passwordFile));
            return stripLineBreak(text).toCharArray();
        }
        String env = environment.get(ENV_KEYSTORE_PASSWORD);
        if (env != null) return env.toCharArray();
        return prompt.readPassword(promptText);
    }

    private ResolvedKey fromMnemonic(String words, KeySourceOptions flags, ResolvedKey.Origin origin, String what,
                                     boolean typed) {
        DerivationPath path = flags.derivationPath() == null ? DerivationPath.DEFAULT
                : DerivationPath.parse(flags.derivationPath());
        String passphrase = flags.passphrase() == null ? null : secretValue(flags.passphrase(), "--passphrase");
        boolean passphraseTyped = flags.passphrase() != null && !KeySourceOptions.STDIN.equals(flags.passphrase());
        Credentials c;
        try {
            c = Mnemonics.toCredentials(words, passphrase, path);
        } catch (KeyException e) {
            throw new KeyException(e.reason(), what + ": " + e.getMessage());
        }
        return new ResolvedKey(c, origin, what + " at " + path, typed || passphraseTyped);
    }

    private void checkSingleStdinUse(KeySourceOptions flags) {
        List<String> readers = new ArrayList<>();
        if (KeySourceOptions.STDIN.equals(flags.privateKey())) readers.add("--private-key");
        if (KeySourceOptions.STDIN.equals(flags.mnemonic())) readers.add("--mnemonic");
        if (KeySourceOptions.STDIN.equals(flags.passwordFile())) readers.add("--password-file");
        if (KeySourceOptions.STDIN.equals(flags.passphrase())) readers.add("--passphrase");
        if (readers.size() > 1) {
            throw new KeyException(KeyException.Reason.USAGE, "only one flag can read standard input ('-'), but "
                    + String.join(" and ", readers) + " both ask for it");
        }
    }

    private static void rejectMnemonicOnlyFlags(KeySourceOptions flags, String source) {
        if (flags.derivationPath() != null) {
            throw new KeyException(KeyException.Reason.USAGE, "--derivation-path applies only to a mnemonic, but the key comes from " + source);
        }
        if (flags.passphrase() != null) {
            throw new KeyException(KeyException.Reason.USAGE, "--passphrase applies only to a mnemonic, but the key comes from " + source);
        }
    }

    private static void rejectPasswordFile(KeySourceOptions flags, String source) {
        if (flags.passwordFile() != null) {
            throw new KeyException(KeyException.Reason.USAGE, "--password-file applies only to a keystore, but the key comes from " + source);
        }
    }

    private String secretValue(String flagValue, String flag) {
        return KeySourceOptions.STDIN.equals(flagValue) ? readStdin(flag + " -").strip() : flagValue;
    }

    private String env(String name) {
        String v = environment.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private String readStdin(String what) {
        try {
            byte[] data = stdin.readNBytes(MAX_SECRET_INPUT + 1);
            if (data.length > MAX_SECRET_INPUT) {
                throw new KeyException(KeyException.Reason.IO, what + ": standard input is longer than 64 KiB");
            }
            if (data.length == 0) throw new KeyException(KeyException.Reason.IO, what + ": standard input is empty");
            return new String(data, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KeyException(KeyException.Reason.IO, what + ": cannot read standard input: " + e.getMessage());
        }
    }

    private static String readPasswordFile(Path file) {
        try {
            if (Files.size(file) > MAX_SECRET_INPUT) {
                throw new KeyException(KeyException.Reason.IO, "password file " + file + " is larger than 64 KiB");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new KeyException(KeyException.Reason.IO, "password file " + file + " does not exist");
        } catch (IOException e) {
            throw new KeyException(KeyException.Reason.IO, "cannot read password file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private static String stripLineBreak(String s) {
        if (s.endsWith("\r\n")) return s.substring(0, s.length() - 2);
        if (s.endsWith("\n")) return s.substring(0, s.length() - 1);
        return s;
    }
}
