package dev.form.cli;

import dev.form.cli.config.CliConfig;
import dev.form.core.keys.Credentials;
import dev.form.core.keys.KeyException;
import dev.form.core.keys.KeySourceOptions;
import dev.form.core.keys.KeySources;
import dev.form.core.keys.PasswordPrompt;
import dev.form.core.keys.ResolvedKey;

import java.nio.file.Path;

/**
 * Loads the identity a command signs with through {@link KeySources} (flag, then environment, then the
 * config's keystore_path), warns on stderr when a secret was typed on the command line, and turns key
 * errors into one-line usage failures.
 */
public final class IdentityResolver {
    private final CliContext context;
    private final CliConfig config;

    public IdentityResolver(CliContext context, CliConfig config) {
        this.context = context;
        this.config = config;
    }

    public KeySources keySources() {
        return new KeySources(context.environment(), context.in(), PasswordPrompt.console());
    }

    public Credentials resolve(IdentityOptions options) {
        return resolveKey(options.toKeySourceOptions()).credentials();
    }

    public ResolvedKey resolveKey(KeySourceOptions options) {
        return resolveKey(options, true);
    }

    /** @param useConfig whether the config's keystore_path may supply the key when no flag or variable does */
    public ResolvedKey resolveKey(KeySourceOptions options, boolean useConfig) {
        try {
            ResolvedKey key = keySources().resolve(options, useConfig ? configKeystore() : null);
            if (key.secretOnCommandLine()) {
                context.err().println("warning: a secret typed on the command line lands in shell history and process listings;"
                        + " prefer FORM_PRIVATE_KEY / FORM_MNEMONIC, '-' (standard input) or --keyfile");
                context.err().flush();
            }
            return key;
        } catch (KeyException e) {
            throw failure(e);
        }
    }

    public Path configKeystore() {
        String p = config.keystorePath();
        if (p == null || p.isBlank()) return null;
        if (p.equals("~")) return context.home();
        if (p.startsWith("~/")) return context.home().resolve(p.substring(2));
        return Path.of(p);
    }

    public static CliFailure failure(KeyException e) {
        String hint = switch (e.reason()) {
            case NO_KEY -> "see 'form wallet --help'";
            case WRONG_PASSWORD -> "check --password-file or FORM_KEYSTORE_PASSWORD";
            case USAGE -> "give exactly one of --private-key, --keyfile, --mnemonic";
            default -> null;
        };
        return new CliFailure(CliFailure.USAGE, e.getMessage(), hint, "key_" + e.reason().name().toLowerCase(java.util.Locale.ROOT), e);
    }
}
