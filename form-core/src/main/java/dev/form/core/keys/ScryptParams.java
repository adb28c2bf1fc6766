package dev.form.core.keys;

/**
 * scrypt cost parameters for writing a keystore.
 *
 * @param n CPU/memory cost, a power of two
 * @param r block size
 * @param p parallelism
 */
public record ScryptParams(int n, int r, int p) {
    /** What geth, ethers.js and MetaMask write: about 256 MiB and one to two seconds per decryption. */
    public static final ScryptParams STANDARD = new ScryptParams(262_144, 8, 1);

    /**
     * FOR TESTS ONLY: n=1024 makes a keystore decrypt in milliseconds and offers next to no protection
     * against guessing the password. Never use it for a real key.
     */
    public static final ScryptParams TEST_ONLY_CHEAP = new ScryptParams(1024, 8, 1);

    public ScryptParams {
        if (n < 2 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("scrypt n must be a power of two greater than 1");
        if (r < 1 || p < 1) throw new IllegalArgumentException("scrypt r and p must be at least 1");
    }
}
