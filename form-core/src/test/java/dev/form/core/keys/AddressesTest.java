package dev.form.core.keys;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressesTest {
    @Test
    void singleCaseIsChecksummedMixedCaseMustBeCorrect() {
        assertThat(Addresses.parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")).isEqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(Addresses.parse("0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266")).isEqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(Addresses.parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")).isEqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThatThrownBy(() -> Addresses.parse("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266")).hasMessageContaining("EIP-55");
        assertThatThrownBy(() -> Addresses.parse("f39fd6e51aad88f6f4ce6ab8827279cfffb92266")).hasMessageContaining("0x followed by 40 hex");
        assertThatThrownBy(() -> Addresses.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Addresses.isValid("0x1234")).isFalse();
    }
}
