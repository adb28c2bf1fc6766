package dev.form.core.keys;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DerivationPathTest {
    @Test
    void parsesHardenedMarkers() {
        DerivationPath p = DerivationPath.parse("m/44'/60h/0H/0/7");
        assertThat(p.indices()).containsExactly(0x8000_002C, 0x8000_003C, 0x8000_0000, 0, 7);
        assertThat(p).hasToString("m/44'/60'/0'/0/7");
        assertThat(DerivationPath.DEFAULT).hasToString("m/44'/60'/0'/0/0");
        assertThat(DerivationPath.parse("m").indices()).isEmpty();
        assertThat(DerivationPath.parse("m/2147483647'").indices()).isEqualTo(List.of(0xFFFF_FFFF));
    }

    @Test
    void rejectsWithTheStepNamed() {
        assertThatThrownBy(() -> DerivationPath.parse("44'/60'")).hasMessageContaining("must start with 'm'");
        assertThatThrownBy(() -> DerivationPath.parse("m/44'/x/0")).hasMessageContaining("step 2 ('x')");
        assertThatThrownBy(() -> DerivationPath.parse("m/44'//0")).hasMessageContaining("step 2 ('')");
        assertThatThrownBy(() -> DerivationPath.parse("m/2147483648")).hasMessageContaining("below 2^31");
        assertThatThrownBy(() -> DerivationPath.parse("")).isInstanceOfSatisfying(KeyException.class,
                e -> assertThat(e.reason()).isEqualTo(KeyException.Reason.INVALID_DERIVATION_PATH));
    }
}
