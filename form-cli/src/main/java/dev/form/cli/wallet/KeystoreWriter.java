package dev.form.cli.wallet;

import dev.form.cli.CliContext;
import dev.form.cli.CliFailure;
import dev.form.cli.IdentityResolver;
import dev.form.core.keys.Credentials;
import dev.form.core.keys.KeyException;
import dev.form.core.keys.KeySources;
import dev.form.core.keys.Keystore;
import dev.form.core.keys.KeystoreFile;
import dev.form.core.keys.ScryptParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;

/** Writes a key into a new v3 keystore file (mode 0600, never over an existing file). */
final class KeystoreWriter {
    private KeystoreWriter() {
    }

    /**
     * @param out          the file, or null for ~/.config/form/keystore/UTC--...--address
     * @param passwordFile --password-file, or null
     * @param cheapKdf     test-only scrypt parameters
     * @return the file written
     */
    static Path write(CliContext ctx, KeySources sources, Credentials credentials, Path out, String passwordFile, boolean cheapKdf) {
        Path file = out != null ? out
                : ctx.home().resolve(".config/form/keystore").resolve(KeystoreFile.standardName(credentials.address(), Instant.now()));
        char[] password = null;
        try {
            password = sources.keystorePassword(passwordFile, "Password for the new keystore " + file + ": ");
            if (password.length == 0) throw CliFailure.usage("the keystore password is empty", "give a password: an empty one protects nothing");
            String json = Keystore.encrypt(credentials, password, cheapKdf ? ScryptParams.TEST_ONLY_CHEAP : ScryptParams.STANDARD,
                    new SecureRandom());
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            KeystoreFile.create(file, json);
            return file;
        } catch (KeyException e) {
            throw IdentityResolver.failure(e);
        } catch (IOException e) {
            throw CliFailure.usage("cannot create the directory for " + file + ": " + e.getMessage(), null);
        } finally {
            if (password != null) Arrays.fill(password, '\0');
        }
    }
}
