package dev.form.core.keys;

import org.web3j.crypto.ECDSASignature;
import org.web3j.crypto.Sign;

import java.math.BigInteger;
import java.util.Optional;

/** EIP-191 version 0x45 ("personal_sign"): hashing a message and recovering the address that signed it. */
public final class PersonalSign {
    private PersonalSign() {
    }

    /** keccak256("\x19Ethereum Signed Message:\n" + decimal byte length + message). */
    public static byte[] messageHash(byte[] message) {
        return Sign.getEthereumMessageHash(message);
    }

    /**
     * The checksummed address whose key produced {@code signature} over {@code message}, or empty when no
     * public key can be recovered (a garbage r that is not the x coordinate of a curve point).
     */
    public static Optional<String> recoverAddress(byte[] message, Secp256k1Signature signature) {
        return recoverAddressFromHash(messageHash(message), signature);
    }

    /** As {@link #recoverAddress(byte[], Secp256k1Signature)}, given the EIP-191 hash. */
    public static Optional<String> recoverAddressFromHash(byte[] hash, Secp256k1Signature signature) {
        BigInteger publicKey;
        try {
            publicKey = Sign.recoverFromSignature(signature.recoveryId(),
                    new ECDSASignature(signature.r(), signature.s()), hash);
        } catch (RuntimeException e) {
            // Bouncy Castle rejects an r that does not decompress to a curve point with an exception.
            return Optional.empty();
        }
        if (publicKey == null) return Optional.empty();
        return Optional.of(Addresses.fromPublicKey(publicKey));
    }
}
