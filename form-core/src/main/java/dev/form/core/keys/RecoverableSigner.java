package dev.form.core.keys;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.web3j.crypto.Sign;

import java.math.BigInteger;

/**
 * Deterministic (RFC 6979), low-S secp256k1 ECDSA that also yields the recovery id. The usual way
 * (sign, then try public-key recovery with each id until one gives our own key back) costs up to two
 * recoveries after the signature; here the id is read off the nonce point R itself: its y parity,
 * flipped when S is replaced by N - S, which signs with -R instead. Same k, r and s as Bouncy Castle's
 * signer with an HMAC-SHA256 k calculator, so the bytes equal those of web3j's signing.
 */
final class RecoverableSigner {
    private static final ECDomainParameters CURVE = new ECDomainParameters(Sign.CURVE_PARAMS.getCurve(), Sign.CURVE_PARAMS.getG(),
            Sign.CURVE_PARAMS.getN(), Sign.CURVE_PARAMS.getH());
    private static final BigInteger N = CURVE.getN();
    private static final BigInteger HALF_N = N.shiftRight(1);

    private RecoverableSigner() {
    }

    /** Signs a 32-byte hash with private key {@code d}: 65 bytes r‖s‖v, v = 27 + recovery id. */
    static byte[] sign(byte[] hash, BigInteger d) {
        if (hash.length != 32) throw new IllegalArgumentException("a secp256k1 signature is over a 32-byte hash");
        BigInteger e = new BigInteger(1, hash);
        HMacDSAKCalculator nonces = new HMacDSAKCalculator(new SHA256Digest());
        nonces.init(N, d, hash);
        FixedPointCombMultiplier multiplier = new FixedPointCombMultiplier();
        while (true) {
            BigInteger k = nonces.nextK();
            ECPoint r = multiplier.multiply(CURVE.getG(), k).normalize();
            BigInteger x = r.getAffineXCoord().toBigInteger();
            BigInteger rr = x.mod(N);
            if (rr.signum() == 0) continue;
            BigInteger s = k.modInverse(N).multiply(e.add(d.multiply(rr))).mod(N);
            if (s.signum() == 0) continue;
            int recoveryId = (r.getAffineYCoord().toBigInteger().testBit(0) ? 1 : 0) | (x.compareTo(N) >= 0 ? 2 : 0);
            if (s.compareTo(HALF_N) > 0) {
                s = N.subtract(s);
                recoveryId ^= 1;
            }
            byte[] out = new byte[65];
            put32(rr, out, 0);
            put32(s, out, 32);
            out[64] = (byte) (27 + recoveryId);
            return out;
        }
    }

    private static void put32(BigInteger v, byte[] out, int at) {
        byte[] raw = v.toByteArray();
        int len = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - len, out, at + 32 - len, len);
    }
}
