package dev.form.core.keys;

import org.web3j.crypto.Keys;

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
        String digits = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        return Keys.toChecksumAddress("0x" + digits.toLowerCase(Locale.ROOT));
    }
}
