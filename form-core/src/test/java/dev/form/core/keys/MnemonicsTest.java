package dev.form.core.keys;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MnemonicsTest {
    static final String TEST_MNEMONIC = "test test test test test test test test test test test junk";

    @Test
    void hardhatVectorAtDefaultPath() {
        Credentials c = Mnemonics.toCredentials(TEST_MNEMONIC, null, DerivationPath.DEFAULT);
        assertThat(c.address()).isEqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    }

    @Test
    void secondAccountAndOddSpacingAndCase() {
        Credentials c = Mnemonics.toCredentials("  Test test TEST test test test test test test test test\tjunk\n", "",
                DerivationPath.parse("m/44'/60'/0'/0/1"));
        // The well-known second account of this mnemonic.
        assertThat(c.address()).isEqualTo("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    }

    @Test
    void passphraseGivesAnotherKey() {
        Credentials plain = Mnemonics.toCredentials(TEST_MNEMONIC, null, DerivationPath.DEFAULT);
        Credentials withPassphrase = Mnemonics.toCredentials(TEST_MNEMONIC, "extra", DerivationPath.DEFAULT);
        assertThat(withPassphrase).isNotEqualTo(plain);
        assertThat(Mnemonics.toCredentials(TEST_MNEMONIC, "", DerivationPath.DEFAULT)).isEqualTo(plain);
    }

    @Test
    void unknownWordIsReportedByPositionNotByWord() {
        assertThatThrownBy(() -> Mnemonics.validate("test test test test zebrax test test test test test test junk"))
                .isInstanceOfSatisfying(KeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(KeyException.Reason.INVALID_MNEMONIC);
                    assertThat(e.getMessage()).contains("word 5 of 12").doesNotContain("zebrax");
                });
    }

    @Test
    void badChecksumIsRejected() {
        assertThatThrownBy(() -> Mnemonics.validate("test test test test test test test test test test test test"))
                .hasMessageContaining("checksum");
    }

    @Test
    void wrongWordCountIsRejected() {
        assertThatThrownBy(() -> Mnemonics.validate("test test test"))
                .hasMessageContaining("has 3 words");
        assertThatThrownBy(() -> Mnemonics.validate("   "))
                .hasMessageContaining("empty");
    }

    @Test
    void generatedMnemonicsValidateAndDiffer() {
        SecureRandom random = new SecureRandom();
        String a = Mnemonics.generate(12, random);
        String b = Mnemonics.generate(24, random);
        assertThat(a.split(" ")).hasSize(12);
        assertThat(b.split(" ")).hasSize(24);
        assertThat(Mnemonics.validate(a)).isEqualTo(a);
        assertThat(Mnemonics.validate(b)).isEqualTo(b);
        assertThat(Mnemonics.generate(12, random)).isNotEqualTo(a);
        assertThatThrownBy(() -> Mnemonics.generate(13, random)).isInstanceOf(IllegalArgumentException.class);
    }
}
