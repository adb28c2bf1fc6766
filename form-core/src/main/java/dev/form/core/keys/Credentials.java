package dev.form.core.keys;

import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A secp256k1 key pair and its Ethereum address. The private key never leaves this object except
 * into a keystore written by {@link Keystore}: {@link #toString()} shows only the address.
 */
public final class Credentials {
    private static final BigInteger CURVE_ORDER = Sign.CURVE_PARAMS.getN();

    private final ECKeyPair keyPair;
    private final String address;

    private Credentials(ECKeyPair keyPair) {
        this.keyPair = keyPair;
        this.address = Addresses.fromPublicKey(keyPair.getPublicKey());
    }

    /**
     * A private key as 64 hex digits, with or without a leading {@code 0x}; surrounding white space is ignored.
     *
     * @throws KeyException (INVALID_PRIVATE_KEY) naming the rule, never echoing the input
     */
    public static Credentials fromPrivateKeyHex(String hex) {
        if (hex == null) {
            throw new KeyException(KeyException.Reason.INVALID_PRIVATE_KEY, "private key is missing");
        }
        String digits = hex.strip();
        if (digits.startsWith("0x") || digits.startsWith("0X")) digits = digits.substring(2);
        if (digits.length() != 64 || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new KeyException(KeyException.Reason.INVALID_PRIVATE_KEY,
                    "private key must be 64 hex digits, optionally prefixed with 0x");
        }
        return fromPrivateKeyBytes(HexFormat.of().parseHex(digits));
    }

    /** A private key as 32 big-endian bytes; the array is not kept. */
    public static Credentials fromPrivateKeyBytes(byte[] key) {
        if (key == null || key.length != 32) {
            throw new KeyException(KeyException.Reason.INVALID_PRIVATE_KEY, "private key must be 32 bytes");
        }
        BigInteger d = new BigInteger(1, key);
        if (d.signum() == 0 || d.compareTo(CURVE_ORDER) >= 0) {
            throw new KeyException(KeyException.Reason.INVALID_PRIVATE_KEY,
                    "private key is out of range for secp256k1 (must be between 1 and the curve order)");
        }
        return new Credentials(ECKeyPair.create(d));
    }

    /** A fresh random key. */
    public static Credentials generate(SecureRandom random) {
        byte[] key = new byte[32];
        try {
            while (true) {
                random.nextBytes(key);
                BigInteger d = new BigInteger(1, key);
                if (d.signum() > 0 && d.compareTo(CURVE_ORDER) < 0) return new Credentials(ECKeyPair.create(d));
            }
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    static Credentials fromKeyPair(ECKeyPair keyPair) {
        return new Credentials(ECKeyPair.create(keyPair.getPrivateKey()));
    }

    /** The EIP-55 checksummed address, {@code 0x} + 40 hex digits. */
    public String address() {
        return address;
    }

    /**
     * EIP-191 personal_sign: the signature over keccak256("\x19Ethereum Signed Message:\n" + len + message),
     * deterministic (RFC 6979) and low-S, as 65 bytes r‖s‖v with v = 27 or 28.
     */
    public byte[] sign(byte[] message) {
        return RecoverableSigner.sign(PersonalSign.messageHash(message), keyPair.getPrivateKey());
    }

    /** {@link #sign(byte[])} as {@code 0x} + 130 lower-case hex digits, the form the Form-Signature header carries. */
    public String signHex(byte[] message) {
        return "0x" + HexFormat.of().formatHex(sign(message));
    }

    /** The 32-byte private key, for writing a keystore; callers must wipe the copy. */
    byte[] privateKeyBytes() {
        byte[] raw = keyPair.getPrivateKey().toByteArray();
        byte[] out = new byte[32];
        int len = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - len, out, 32 - len, len);
        Arrays.fill(raw, (byte) 0);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Credentials other && other.address.equals(address);
    }

    @Override
    public int hashCode() {
        return address.hashCode();
    }

    @Override
    public String toString() {
        return "Credentials[" + address + "]";
    }
}
