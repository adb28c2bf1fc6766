package dev.form.core.keys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CredentialsTest {
    static final String KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    @Test
    void privateKeyWithOrWithout0x() {
        assertThat(Credentials.fromPrivateKeyHex(KEY).address()).isEqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(Credentials.fromPrivateKeyHex("0x" + KEY.toUpperCase())).isEqualTo(Credentials.fromPrivateKeyHex(KEY));
        assertThat(Credentials.fromPrivateKeyHex(" 0X" + KEY + "\n")).isEqualTo(Credentials.fromPrivateKeyHex(KEY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0x", "ac0974", "zz0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff8000",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"})
    void invalidKeysAreRejectedWithoutEchoingThem(String bad) {
        assertThatThrownBy(() -> Credentials.fromPrivateKeyHex(bad))
                .isInstanceOfSatisfying(KeyException.class, e -> {
                    assertThat(e.reason()).isEqualTo(KeyException.Reason.INVALID_PRIVATE_KEY);
                    if (bad.length() > 8) assertThat(e.getMessage()).doesNotContain(bad.substring(2, 10));
                });
    }

    @Test
    void toStringShowsOnlyTheAddress() {
        Credentials c = Credentials.fromPrivateKeyHex(KEY);
        assertThat(c.toString()).isEqualTo("Credentials[0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266]")
                .doesNotContain(KEY.substring(0, 8));
    }

    @Test
    void signatureIsDeterministicLowSAndRecoversTheAddress() {
        Credentials c = Credentials.fromPrivateKeyHex(KEY);
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] sig = c.sign(msg);
        assertThat(sig).hasSize(65);
        assertThat(c.sign(msg)).isEqualTo(sig);
        assertThat(sig[64]).isIn((byte) 27, (byte) 28);
        Secp256k1Signature parsed = Secp256k1Signature.fromBytes(sig);
        assertThat(PersonalSign.recoverAddress(msg, parsed)).contains(c.address());
        assertThat(PersonalSign.recoverAddress("hellp".getBytes(StandardCharsets.UTF_8), parsed)).isNotEqualTo(c.address());
        assertThat(c.signHex(msg)).isEqualTo("0x" + HexFormat.of().formatHex(sig));
    }

    @Test
    void personalSignHashMatchesTheKnownValueForHelloWorld() {
        // keccak256("\x19Ethereum Signed Message:\n11hello world"), as ethers.js hashMessage("hello world") gives.
        assertThat(HexFormat.of().formatHex(PersonalSign.messageHash("hello world".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("d9eba16ed0ecae432b71fe008c98cc872bb4cc214d3220a36f365326cf807d68");
    }
}
