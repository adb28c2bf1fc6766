package dev.form.core.keys;

import java.util.ArrayList;
import java.util.List;

/**
 * A BIP-32 derivation path such as {@code m/44'/60'/0'/0/0}. Hardened steps are marked with {@code '}
 * (or {@code h}/{@code H}); {@link #toString()} always writes {@code '}.
 *
 * @param indices each step's child index, with bit 31 set for hardened steps
 */
public record DerivationPath(List<Integer> indices) {
    private static final int HARDENED = 0x8000_0000;

    /** The Ethereum default account path (BIP-44, coin type 60, first account, first address). */
    public static final DerivationPath DEFAULT = parse("m/44'/60'/0'/0/0");

    public DerivationPath {
        indices = List.copyOf(indices);
        if (indices.size() > 255) throw new IllegalArgumentException("a derivation path has at most 255 steps");
    }

    /**
     * @throws KeyException (INVALID_DERIVATION_PATH) naming the offending step
     */
    public static DerivationPath parse(String path) {
        if (path == null || path.isBlank()) {
            throw invalid("derivation path is empty; expected something like m/44'/60'/0'/0/0");
        }
        String[] parts = path.strip().split("/", -1);
        if (!parts[0].equals("m")) {
            throw invalid("derivation path must start with 'm', e.g. m/44'/60'/0'/0/0");
        }
        List<Integer> indices = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String step = parts[i];
            boolean hardened = step.endsWith("'") || step.endsWith("h") || step.endsWith("H");
            String digits = hardened ? step.substring(0, step.length() - 1) : step;
            if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw invalid("derivation path step " + i + " ('" + step + "') must be a number, optionally followed by ' for hardened");
            }
            long value = Long.parseLong(digits);
            if (value >= HARDENED_LIMIT) {
                throw invalid("derivation path step " + i + " ('" + step + "') must be below 2^31");
            }
            indices.add(hardened ? (int) value | HARDENED : (int) value);
        }
        if (indices.size() > 255) throw invalid("a derivation path has at most 255 steps");
        return new DerivationPath(indices);
    }

    private static final long HARDENED_LIMIT = 1L << 31;

    int[] toArray() {
        return indices.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("m");
        for (int index : indices) {
            sb.append('/').append(index & ~HARDENED);
            if ((index & HARDENED) != 0) sb.append('\'');
        }
        return sb.toString();
    }

    private static KeyException invalid(String message) {
        return new KeyException(KeyException.Reason.INVALID_DERIVATION_PATH, message);
    }
}
