package dev.form.core.keys;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * form derives addresses and EIP-55 checksums with Bouncy Castle's Keccak digest instead of web3j's
 * {@code Keys} (which builds a JCA provider when it loads): the results must be exactly web3j's.
 */
class AddressDerivationTest {
    private static final BigInteger N = Sign.CURVE_PARAMS.getN();

    @Property(tries = 200)
    void addressOfARandomKeyIsWeb3jsAddress(@ForAll("privateKeys") byte[] key) {
        BigInteger d = new BigInteger(1, key);
        String web3j = Keys.toChecksumAddress(Keys.getAddress(ECKeyPair.create(d)));
        assertThat(Credentials.fromPrivateKeyBytes(key).address()).isEqualTo(web3j);
    }

    @Property(tries = 200)
    void checksumOfRandomHexInAnyCaseIsWeb3jsChecksum(@ForAll("addressHex") String hex) {
        String web3j = Keys.toChecksumAddress("0x" + hex.toLowerCase());
        assertThat(Addresses.checksum(hex)).isEqualTo(web3j);
        assertThat(Addresses.checksum("0x" + hex)).isEqualTo(web3j);
        assertThat(Addresses.parse("0x" + hex.toUpperCase())).isEqualTo(web3j);
    }

    @Property(tries = 50)
    void recoveredAddressIsWeb3jsRecoveredAddress(@ForAll("privateKeys") byte[] key, @ForAll byte[] message) {
        Credentials signer = Credentials.fromPrivateKeyBytes(key);
        byte[] sig = signer.sign(message);
        Sign.SignatureData data = new Sign.SignatureData(sig[64], java.util.Arrays.copyOfRange(sig, 0, 32),
                java.util.Arrays.copyOfRange(sig, 32, 64));
        String web3j;
        try {
            web3j = Keys.toChecksumAddress(Keys.getAddress(Sign.signedPrefixedMessageToKey(message, data)));
        } catch (java.security.SignatureException e) {
            throw new AssertionError(e);
        }
        assertThat(PersonalSign.recoverAddress(message, Secp256k1Signature.fromBytes(sig))).contains(web3j);
        assertThat(web3j).isEqualTo(signer.address());
    }

    @Property(tries = 100)
    void publicKeysWithLeadingZeroBytesArePaddedAsWeb3jPadsThem(@ForAll("shortPublicKeys") BigInteger publicKey) {
        String web3j = Keys.toChecksumAddress(Keys.getAddress(publicKey));
        assertThat(Addresses.fromPublicKey(publicKey)).isEqualTo(web3j);
    }

    @Property(tries = 1)
    void keccakOfTheEmptyInputIsTheKnownValue() {
        assertThat(HexFormat.of().formatHex(Addresses.keccak256(new byte[0])))
                .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
        assertThat(HexFormat.of().formatHex(Addresses.keccak256("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    }

    @Provide
    Arbitrary<byte[]> privateKeys() {
        return Arbitraries.bytes().array(byte[].class).ofSize(32)
                .filter(k -> {
                    BigInteger d = new BigInteger(1, k);
                    return d.signum() > 0 && d.compareTo(N) < 0;
                });
    }

    @Provide
    Arbitrary<String> addressHex() {
        return Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofLength(40);
    }

    /** x‖y values with high zero bytes, so that the 64-byte padding is exercised (not real curve points: hashing does not care). */
    @Provide
    Arbitrary<BigInteger> shortPublicKeys() {
        return Arbitraries.integers().between(1, 64).flatMap(len ->
                Arbitraries.bytes().array(byte[].class).ofSize(len).map(b -> new BigInteger(1, b)));
    }
}
