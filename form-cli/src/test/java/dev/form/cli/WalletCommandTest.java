package dev.form.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

import static org.assertj.core.api.Assertions.assertThat;

/** form wallet new|address|import and the identity flags' precedence, through the real entry point. */
class WalletCommandTest {
    static final String TEST_MNEMONIC = "test test test test test test test test test test test junk";
    static final String TEST_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    /** The private key of TEST_ADDRESS (a public test key). */
    static final String TEST_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    @TempDir
    Path home;

    @Test
    void addressOfTheMnemonicVectorFromTheEnvironment() {
        CliRun.Result r = new CliRun(home).env("FORM_MNEMONIC", TEST_MNEMONIC).run("wallet", "address");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo(TEST_ADDRESS);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void anotherDerivationPathGivesAnotherAddress() {
        CliRun.Result r = new CliRun(home).env("FORM_MNEMONIC", TEST_MNEMONIC)
                .run("wallet", "address", "--derivation-path", "m/44'/60'/0'/0/1", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.json().get("address").asText()).isEqualTo("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        assertThat(r.json().get("origin").asText()).isEqualTo("environment");
    }

    @Test
    void aKeyTypedOnTheCommandLineWorksButWarns() {
        CliRun.Result r = new CliRun(home).run("wallet", "address", "--private-key", TEST_KEY);
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().strip()).isEqualTo(TEST_ADDRESS);
        assertThat(r.err()).startsWith("warning: ").contains("shell history").doesNotContain(TEST_KEY.substring(2));
    }

    @Test
    void aKeyFromStandardInputDoesNotWarn() {
        CliRun.Result r = new CliRun(home).stdin(TEST_KEY + "\n").run("wallet", "address", "--private-key", "-");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo(TEST_ADDRESS);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void noKeyAnywhereIsAUsageErrorWithAHint() {
        CliRun.Result r = new CliRun(home).run("wallet", "address");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("hint: ").contains("FORM_PRIVATE_KEY");
    }

    @Test
    void twoExplicitSourcesAreAUsageError() {
        CliRun.Result r = new CliRun(home).run("wallet", "address", "--private-key", TEST_KEY, "--mnemonic", TEST_MNEMONIC);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--private-key").contains("--mnemonic").doesNotContain("junk").doesNotContain(TEST_KEY.substring(2));
    }

    @Test
    void aFlagBeatsTheEnvironment() {
        CliRun.Result r = new CliRun(home).env("FORM_MNEMONIC", TEST_MNEMONIC)
                .stdin("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n")
                .run("wallet", "address", "--private-key", "-");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    }

    @Test
    void newWritesAnOwnerOnlyKeystoreThatAddressReadsBack() throws Exception {
        Path pw = home.resolve("pw.txt");
        Files.writeString(pw, "correct horse\n");
        Path keyfile = home.resolve("keys/k.json");
        CliRun.Result created = new CliRun(home).run("wallet", "new", "--out", keyfile.toString(), "--password-file", pw.toString(),
                "--test-only-cheap-kdf", "--json");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        JsonNode json = created.json();
        String address = json.get("address").asText();
        assertThat(address).matches("0x[0-9a-fA-F]{40}");
        assertThat(json.get("keyfile").asText()).isEqualTo(keyfile.toString());
        assertThat(Files.getPosixFilePermissions(keyfile)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(keyfile)).contains("\"version\":3").contains("scrypt");

        CliRun.Result read = new CliRun(home).run("wallet", "address", "--keyfile", keyfile.toString(), "--password-file", pw.toString());
        assertThat(read.exitCode()).as(read.toString()).isZero();
        assertThat(read.out().strip()).isEqualTo(address);

        CliRun.Result viaEnvPassword = new CliRun(home).env("FORM_KEYSTORE_PASSWORD", "correct horse")
                .run("wallet", "address", "--keyfile", keyfile.toString());
        assertThat(viaEnvPassword.out().strip()).isEqualTo(address);

        Files.writeString(pw, "wrong\n");
        CliRun.Result wrong = new CliRun(home).run("wallet", "address", "--keyfile", keyfile.toString(), "--password-file", pw.toString());
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).containsIgnoringCase("password").contains("hint: ");

        CliRun.Result again = new CliRun(home).env("FORM_KEYSTORE_PASSWORD", "x")
                .run("wallet", "new", "--out", keyfile.toString(), "--test-only-cheap-kdf");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains(keyfile.toString());
    }

    @Test
    void newWithAMnemonicPrintsItOnceAndItDerivesTheSameAddress() {
        CliRun.Result created = new CliRun(home).env("FORM_KEYSTORE_PASSWORD", "pw")
                .run("wallet", "new", "--mnemonic-words", "12", "--out", home.resolve("m.json").toString(), "--test-only-cheap-kdf", "--json");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        String words = created.json().get("mnemonic").asText();
        assertThat(words.split(" ")).hasSize(12);
        CliRun.Result derived = new CliRun(home).env("FORM_MNEMONIC", words).run("wallet", "address");
        assertThat(derived.out().strip()).isEqualTo(created.json().get("address").asText());
    }

    @Test
    void importAKeyAndUseItThroughTheConfigsKeystorePath() throws Exception {
        Path keyfile = home.resolve("imported.json");
        CliRun.Result imported = new CliRun(home).env("FORM_PRIVATE_KEY", TEST_KEY).env("FORM_KEYSTORE_PASSWORD", "pw")
                .run("wallet", "import", "--out", keyfile.toString(), "--test-only-cheap-kdf");
        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        assertThat(imported.out()).contains(TEST_ADDRESS).contains(keyfile.toString());

        Path config = home.resolve(".config/form/config.json");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "{\"hosts\": [\"127.0.0.1\"], \"vmm_port\": 3002, \"keystore_path\": \"" + keyfile + "\"}");
        CliRun.Result fromConfig = new CliRun(home).env("FORM_KEYSTORE_PASSWORD", "pw").run("wallet", "address", "--json");
        assertThat(fromConfig.exitCode()).as(fromConfig.toString()).isZero();
        assertThat(fromConfig.json().get("address").asText()).isEqualTo(TEST_ADDRESS);
        assertThat(fromConfig.json().get("origin").asText()).isEqualTo("config");

        CliRun.Result nothing = new CliRun(home).env("FORM_KEYSTORE_PASSWORD", "pw").run("wallet", "import", "--out", home.resolve("x.json").toString());
        assertThat(nothing.exitCode()).isEqualTo(2);
    }

    @Test
    void aBadMnemonicIsNamedWithoutEchoingIt() {
        CliRun.Result r = new CliRun(home).env("FORM_MNEMONIC", "test test test test test test test test test test test test")
                .run("wallet", "address");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).containsIgnoringCase("mnemonic").doesNotContain("test test");
    }
}
