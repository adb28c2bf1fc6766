package dev.form.core.keys;

import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The signer reads the recovery id off R instead of trying recoveries: its bytes must equal web3j's
 * (which signs with Bouncy Castle and finds v by recovery) for any key and message, both v values
 * must occur, and every signature must recover to its signer.
 */
class RecoverableSignerTest {

    @Test
    void signaturesEqualWeb3jsForRandomKeysAndMessages() {
        SecureRandom random = new SecureRandom();
        boolean[] seenV = new boolean[2];
        for (int i = 0; i < 300; i++) {
            Credentials key = Credentials.generate(random);
            byte[] message = new byte[random.nextInt(200)];
            random.nextBytes(message);
            byte[] ours = key.sign(message);

            BigInteger d = new BigInteger(1, key.privateKeyBytes());
            Sign.SignatureData theirs = Sign.signPrefixedMessage(message, ECKeyPair.create(d));
            byte[] expected = new byte[65];
            System.arraycopy(theirs.getR(), 0, expected, 0, 32);
            System.arraycopy(theirs.getS(), 0, expected, 32, 32);
            expected[64] = theirs.getV()[0];
            assertThat(ours).as("key %s, message %s", key.address(), Arrays.toString(message)).isEqualTo(expected);

            seenV[ours[64] - 27] = true;
            assertThat(PersonalSign.recoverAddress(message, Secp256k1Signature.fromBytes(ours))).contains(key.address());
        }
        assertThat(seenV).containsExactly(true, true);
    }

    @Test
    void onlyA32ByteHashIsSigned() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecoverableSigner.sign(new byte[31], BigInteger.ONE))
                .hasMessageContaining("32-byte hash");
    }
}
