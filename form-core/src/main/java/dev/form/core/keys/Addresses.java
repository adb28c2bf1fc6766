package dev.form.core.keys;

import org.bouncycastle.crypto.digests.KeccakDigest;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** Ethereum addresses in their one canonical spelling: EIP-55 mixed-case checksum. */
public final class Addresses {
    private static final Pattern SHAPE = Pattern.compile("0[xX][0-9a-fA-F]{40}");

    private Addresses() {
    }

    /**
     * Parses an address typed by a user or sent on the wire. All-lower or all-upper hex is accepted as is;
     * mixed case must carry a correct EIP-55 checksum (a typo would otherwise silently name another account).
     *
     * @return the checksummed address
     * @throws IllegalArgumentException naming the rule that was broken
     */
    public static String parse(String address) {
        if (address == null || !SHAPE.matcher(address).matches()) {
            throw new IllegalArgumentException("address must be 0x followed by 40 hex digits");
        }
        String hex = address.substring(2);
        String checksummed = checksum(hex);
        boolean singleCase = hex.equals(hex.toLowerCase(Locale.ROOT)) || hex.equals(hex.toUpperCase(Locale.ROOT));
        if (!singleCase && !checksummed.substring(2).equals(hex)) {
            throw new IllegalArgumentException("address has an invalid EIP-55 checksum (mixed case that does not match)");
        }
        return checksummed;
    }

    /** True when {@link #parse(String)} would accept the address. */
    public static boolean isValid(String address) {
        try {
            parse(address);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** EIP-55 form of 40 hex digits, with or without 0x, in any case. */
    static String checksum(String hex) {
        String lower = (hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex).toLowerCase(Locale.ROOT);
        // A letter is upper case where the matching nibble of keccak256(the lower-case hex text) is 8 or more.
        byte[] hash = keccak256(lower.getBytes(StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder(lower.length() + 2).append("0x");
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf;
            out.append(nibble >= 8 ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }

    /**
     * The checksummed address of a secp256k1 public key given as the unsigned integer x‖y (64 bytes): the last
     * 20 bytes of its keccak256. Done here with Bouncy Castle's digest rather than web3j's {@code Keys}, whose
     * class initialisation builds a whole JCA provider (tens of milliseconds on every CLI start).
     */
    static String fromPublicKey(BigInteger publicKey) {
        byte[] raw = publicKey.toByteArray();
        byte[] padded = new byte[64];
        int len = Math.min(raw.length, 64);
        System.arraycopy(raw, raw.length - len, padded, 64 - len, len);
        byte[] hash = keccak256(padded);
        return checksum(HexFormat.of().formatHex(hash, hash.length - 20, hash.length));
    }

    static byte[] keccak256(byte[] input) {
        KeccakDigest digest = new KeccakDigest(256);
        digest.update(input, 0, input.length);
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }
}
