package dev.form.core.keys;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeySourcesTest {
    static final String KEY_A = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final String ADDRESS_A = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    static final String KEY_B = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    static final String ADDRESS_B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    static final String MNEMONIC = "test test test test test test test test test test test junk";
    static final String PASSWORD = "correct horse battery staple";

    @TempDir
    static Path dir;
    static Path keystoreB;

    @BeforeAll
    static void writeKeystore() {
        keystoreB = dir.resolve("b.json");
        KeystoreFile.create(keystoreB, Keystore.encrypt(Credentials.fromPrivateKeyHex(KEY_B), PASSWORD.toCharArray(),
                ScryptParams.TEST_ONLY_CHEAP, new SecureRandom()));
    }

    private static KeySources sources(Map<String, String> env, String stdin, PasswordPrompt prompt) {
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        return new KeySources(env, in, prompt);
    }

    private static final PasswordPrompt NO_PROMPT = p -> {
        throw new AssertionError("must not prompt");
    };

    @Test
    void flagWinsOverEnvironmentWhichWinsOverConfig() {
        Map<String, String> env = Map.of(KeySources.ENV_MNEMONIC, MNEMONIC);
        ResolvedKey flag = sources(env, "", NO_PROMPT).resolve(KeySourceOptions.privateKey(KEY_B), keystoreB);
        assertThat(flag.address()).isEqualTo(ADDRESS_B);
        assertThat(flag.origin()).isEqualTo(ResolvedKey.Origin.FLAG);
        assertThat(flag.secretOnCommandLine()).isTrue();

        ResolvedKey fromEnv = sources(env, "", NO_PROMPT).resolve(KeySourceOptions.none(), keystoreB);
        assertThat(fromEnv.address()).isEqualTo(ADDRESS_A);
        assertThat(fromEnv.origin()).isEqualTo(ResolvedKey.Origin.ENVIRONMENT);
        assertThat(fromEnv.source()).isEqualTo("FORM_MNEMONIC at m/44'/60'/0'/0/0");
        assertThat(fromEnv.secretOnCommandLine()).isFalse();

        ResolvedKey fromConfig = sources(Map.of(KeySources.ENV_KEYSTORE_PASSWORD, PASSWORD), "", NO_PROMPT)
                .resolve(KeySourceOptions.none(), keystoreB);
        assertThat(fromConfig.address()).isEqualTo(ADDRESS_B);
        assertThat(fromConfig.origin()).isEqualTo(ResolvedKey.Origin.CONFIG);
    }

    @Test
    void privateKeyFromEnvironment() {
        ResolvedKey k = sources(Map.of(KeySources.ENV_PRIVATE_KEY, "0x" + KEY_A), "", NO_PROMPT)
                .resolve(KeySourceOptions.none(), null);
        assertThat(k.address()).isEqualTo(ADDRESS_A);
        assertThat(k.source()).isEqualTo("FORM_PRIVATE_KEY");
    }

    @Test
    void twoExplicitSourcesAreAUsageErrorNamingBoth() {
        var flags = new KeySourceOptions(KEY_A, keystoreB, null, null, null, null);
        assertThatThrownBy(() -> sources(Map.of(), "", NO_PROMPT).resolve(flags, null))
                .isInstanceOfSatisfying(KeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(KeyException.Reason.USAGE);
                    assertThat(e.getMessage()).contains("--private-key").contains("--keyfile").doesNotContain(KEY_A);
                });
        var flags2 = new KeySourceOptions(null, null, null, MNEMONIC, null, null);
        var flags3 = new KeySourceOptions(KEY_A, null, null, MNEMONIC, null, null);
        assertThat(sources(Map.of(), "", NO_PROMPT).resolve(flags2, null).address()).isEqualTo(ADDRESS_A);
        assertThatThrownBy(() -> sources(Map.of(), "", NO_PROMPT).resolve(flags3, null))
                .hasMessageContaining("--private-key and --mnemonic");
        assertThatThrownBy(() -> sources(Map.of(KeySources.ENV_PRIVATE_KEY, KEY_A, KeySources.ENV_MNEMONIC, MNEMONIC), "", NO_PROMPT)
                .resolve(KeySourceOptions.none(), null))
                .hasMessageContaining("FORM_PRIVATE_KEY and FORM_MNEMONIC")
                .hasFieldOrPropertyWithValue("reason", KeyException.Reason.USAGE);
    }

    @Test
    void nothingSelectedSaysWhereAKeyCanComeFrom() {
        assertThatThrownBy(() -> sources(Map.of(KeySources.ENV_PRIVATE_KEY, "  "), "", NO_PROMPT).resolve(KeySourceOptions.none(), null))
                .hasFieldOrPropertyWithValue("reason", KeyException.Reason.NO_KEY)
                .hasMessageContaining("--private-key").hasMessageContaining("keystore_path");
    }

    @Test
    void dashReadsTheSecretFromStandardInput() {
        ResolvedKey k = sources(Map.of(), KEY_A + "\n", NO_PROMPT).resolve(KeySourceOptions.privateKey("-"), null);
        assertThat(k.address()).isEqualTo(ADDRESS_A);
        assertThat(k.secretOnCommandLine()).isFalse();
        ResolvedKey m = sources(Map.of(), MNEMONIC + "\n", NO_PROMPT)
                .resolve(KeySourceOptions.mnemonic("-", "m/44'/60'/0'/0/1", null), null);
        assertThat(m.address()).isEqualTo(ADDRESS_B);
        assertThat(m.secretOnCommandLine()).isFalse();
        ResolvedKey ks = sources(Map.of(), PASSWORD + "\n", NO_PROMPT).resolve(KeySourceOptions.keyfile(keystoreB, "-"), null);
        assertThat(ks.address()).isEqualTo(ADDRESS_B);
        assertThatThrownBy(() -> sources(Map.of(), "", NO_PROMPT).resolve(KeySourceOptions.privateKey("-"), null))
                .hasMessageContaining("standard input is empty");
        assertThatThrownBy(() -> sources(Map.of(), "x", NO_PROMPT)
                .resolve(new KeySourceOptions(null, null, null, "-", null, "-"), null))
                .hasMessageContaining("--mnemonic and --passphrase");
    }

    @Test
    void passwordSourcesInOrderFileThenEnvironmentThenPrompt() throws Exception {
        Path pwFile = dir.resolve("pw.txt");
        Files.writeString(pwFile, PASSWORD + "\r\n");
        Map<String, String> wrongEnv = Map.of(KeySources.ENV_KEYSTORE_PASSWORD, "wrong");
        assertThat(sources(wrongEnv, "", NO_PROMPT).resolve(KeySourceOptions.keyfile(keystoreB, pwFile.toString()), null).address())
                .isEqualTo(ADDRESS_B);
        assertThat(sources(Map.of(KeySources.ENV_KEYSTORE_PASSWORD, PASSWORD), "", NO_PROMPT)
                .resolve(KeySourceOptions.keyfile(keystoreB, null), null).address()).isEqualTo(ADDRESS_B);
        List<String> prompts = new ArrayList<>();
        ResolvedKey prompted = sources(Map.of(), "", p -> {
            prompts.add(p);
            return PASSWORD.toCharArray();
        }).resolve(KeySourceOptions.keyfile(keystoreB, null), null);
        assertThat(prompted.address()).isEqualTo(ADDRESS_B);
        assertThat(prompts).containsExactly("Password for keystore " + keystoreB + ": ");
    }

    @Test
    void keystoreErrorsNameTheFileAndTheCause() {
        assertThatThrownBy(() -> sources(Map.of(KeySources.ENV_KEYSTORE_PASSWORD, "nope"), "", NO_PROMPT)
                .resolve(KeySourceOptions.keyfile(keystoreB, null), null))
                .isInstanceOfSatisfying(KeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(KeyException.Reason.WRONG_PASSWORD);
                    assertThat(e.getMessage()).isEqualTo("keystore " + keystoreB + ": wrong password for this keystore (its MAC does not match)");
                });
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> sources(Map.of(), "", NO_PROMPT).resolve(KeySourceOptions.keyfile(missing, null), null))
                .hasMessage("keystore file " + missing + " does not exist");
    }

    @Test
    void mnemonicOnlyAndKeystoreOnlyFlagsAreRejectedElsewhere() {
        assertThatThrownBy(() -> sources(Map.of(), "", NO_PROMPT)
                .resolve(new KeySourceOptions(KEY_A, null, null, null, "m/44'/60'/0'/0/1", null), null))
                .hasMessageContaining("--derivation-path applies only to a mnemonic");
        assertThatThrownBy(() -> sources(Map.of(), "", NO_PROMPT)
                .resolve(new KeySourceOptions(null, null, "pw.txt", MNEMONIC, null, null), null))
                .hasMessageContaining("--password-file applies only to a keystore");
    }

    @Test
    void passphraseFlagCountsAsSecretOnCommandLine() {
        ResolvedKey k = sources(Map.of(KeySources.ENV_MNEMONIC, MNEMONIC), "", NO_PROMPT)
                .resolve(new KeySourceOptions(null, null, null, null, null, "extra"), null);
        assertThat(k.secretOnCommandLine()).isTrue();
        assertThat(k.address()).isNotEqualTo(ADDRESS_A);
    }

    @Test
    void secretsNeverAppearInMessagesOrToString() {
        String badKey = "0x" + KEY_A.substring(0, 60) + "zzzz";
        String badMnemonic = "test test test test test test test test test test test test";
        List<Throwable> errors = new ArrayList<>();
        AtomicInteger prompts = new AtomicInteger();
        PasswordPrompt wrongPrompt = p -> {
            prompts.incrementAndGet();
            return "s3cret-guess".toCharArray();
        };
        Runnable[] attempts = {
                () -> sources(Map.of(), "", wrongPrompt).resolve(KeySourceOptions.privateKey(badKey), null),
                () -> sources(Map.of(KeySources.ENV_PRIVATE_KEY, badKey), "", wrongPrompt).resolve(KeySourceOptions.none(), null),
                () -> sources(Map.of(), "", wrongPrompt).resolve(KeySourceOptions.mnemonic(badMnemonic, null, "pass-phrase-xyz"), null),
                () -> sources(Map.of(KeySources.ENV_MNEMONIC, badMnemonic), "", wrongPrompt).resolve(KeySourceOptions.none(), null),
                () -> sources(Map.of(), "", wrongPrompt).resolve(KeySourceOptions.keyfile(keystoreB, null), null),
                () -> sources(Map.of(), "", wrongPrompt).resolve(new KeySourceOptions(badKey, null, null, badMnemonic, null, null), null),
        };
        for (Runnable attempt : attempts) {
            try {
                attempt.run();
            } catch (KeyException e) {
                errors.add(e);
            }
        }
        assertThat(errors).hasSize(attempts.length);
        assertThat(prompts.get()).isEqualTo(1);
        for (Throwable e : errors) {
            assertThat(e.getMessage()).doesNotContain(KEY_A.substring(0, 16)).doesNotContain("test test")
                    .doesNotContain("pass-phrase-xyz").doesNotContain("s3cret-guess");
            assertThat(e.toString()).doesNotContain(KEY_A.substring(0, 16));
        }
        KeySourceOptions flags = new KeySourceOptions(KEY_A, keystoreB, "-", MNEMONIC, null, "pass-phrase-xyz");
        assertThat(flags.toString()).doesNotContain(KEY_A.substring(0, 16)).doesNotContain("test test").doesNotContain("pass-phrase-xyz");
        ResolvedKey k = sources(Map.of(), "", NO_PROMPT).resolve(KeySourceOptions.privateKey(KEY_A), null);
        assertThat(k.toString()).contains(ADDRESS_A).doesNotContain(KEY_A.substring(0, 16));
    }

    @Test
    void keystoreFileIsCreatedOwnerOnlyAndNeverOverwritten() throws Exception {
        Path file = dir.resolve("sub").resolve(KeystoreFile.standardName(ADDRESS_A, Instant.parse("2026-11-26T03:20:00Z")));
        assertThat(file.getFileName().toString()).isEqualTo("UTC--2026-11-26T03-20-00.000000000Z--f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        KeystoreFile.create(file, "{}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThatThrownBy(() -> KeystoreFile.create(file, "{\"x\":1}")).hasMessageContaining("already exists");
        assertThat(Files.readString(file)).isEqualTo("{}");
    }
}
