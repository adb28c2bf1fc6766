package dev.form.core.util;

import java.util.Locale;

/** Binary size strings: {@code N}, {@code N[KMGT]}, optionally followed by {@code iB} or {@code B}. */
public final class Sizes {
    private Sizes() {
    }

    /**
     * Parses a size such as {@code 512M} or {@code 2G} into bytes.
     *
     * @throws IllegalArgumentException naming the rule when the text is not a size
     */
    public static long parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("a size is required, e.g. 512M or 2G");
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) s = s.substring(0, s.length() - 2);
        else if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) s = s.substring(0, s.length() - 1);
        int shift = 0;
        char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        switch (last) {
            case 'K' -> shift = 10;
            case 'M' -> shift = 20;
            case 'G' -> shift = 30;
            case 'T' -> shift = 40;
            default -> { }
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit))
            throw new IllegalArgumentException("'" + text + "' is not a size: use a whole number with an optional K, M, G or T suffix (binary), e.g. 512M");
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
        if (n != 0 && Long.numberOfLeadingZeros(n) <= shift)
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        return n << shift;
    }

    /** The shortest exact binary form of a byte count: 1073741824 → 1G, 1536 → 1536. */
    public static String format(long bytes) {
        String[] units = {"", "K", "M", "G", "T"};
        int u = 0;
        long v = bytes;
        while (u < units.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return v + units[u];
    }
}
