package dev.form.core.keys;

import org.web3j.crypto.Sign;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A 65-byte Ethereum signature r‖s‖v, checked for shape: v is 27/28 or 0/1, r and s lie in [1, n-1],
 * and s is in the lower half of the range (low-S, as EIP-2 requires), so that each signature has one
 * accepted encoding.
 *
 * @param recoveryId 0 or 1
 */
public record Secp256k1Signature(BigInteger r, BigInteger s, int recoveryId) {
    private static final BigInteger N = Sign.CURVE_PARAMS.getN();
    private static final BigInteger HALF_N = N.shiftRight(1);

    public Secp256k1Signature {
        if (r == null || s == null) throw new IllegalArgumentException("signature r and s are required");
        if (recoveryId != 0 && recoveryId != 1) throw new IllegalArgumentException("signature recovery id must be 0 or 1");
    }

    /**
     * @throws IllegalArgumentException saying which part of the encoding is wrong
     */
    public static Secp256k1Signature fromBytes(byte[] sig) {
        if (sig == null || sig.length != 65) {
            throw new IllegalArgumentException("signature must be 65 bytes (r, s, v)");
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        int v = sig[64] & 0xff;
        int recId = switch (v) {
            case 0, 27 -> 0;
            case 1, 28 -> 1;
            default -> throw new IllegalArgumentException("signature v must be 27, 28, 0 or 1, got " + v);
        };
        if (r.signum() == 0 || r.compareTo(N) >= 0) throw new IllegalArgumentException("signature r is out of range");
        if (s.signum() == 0 || s.compareTo(N) >= 0) throw new IllegalArgumentException("signature s is out of range");
        if (s.compareTo(HALF_N) > 0) {
            throw new IllegalArgumentException("signature s is in the upper half of the curve order (high-S); only low-S signatures are accepted");
        }
        return new Secp256k1Signature(r, s, recId);
    }
}
