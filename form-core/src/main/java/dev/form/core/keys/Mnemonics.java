package dev.form.core.keys;

import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.MnemonicUtils;

import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * BIP-39 mnemonics (English word list) and BIP-32 derivation of the key they hold. Error messages give
 * word positions, never words: the words are the secret.
 */
public final class Mnemonics {
    private static final Set<String> WORDS = new HashSet<>(MnemonicUtils.getWords());
    private static final Set<Integer> WORD_COUNTS = Set.of(12, 15, 18, 21, 24);

    private Mnemonics() {
    }

    /**
     * Normalises (NFKD, lower case, single spaces) and checks the word count, that every word is in the
     * list, and the checksum.
     *
     * @return the normalised mnemonic
     * @throws KeyException (INVALID_MNEMONIC)
     */
    public static String validate(String mnemonic) {
        if (mnemonic == null || mnemonic.isBlank()) throw invalid("mnemonic is empty");
        String normalized = Normalizer.normalize(mnemonic, Normalizer.Form.NFKD).toLowerCase(Locale.ROOT).strip();
        List<String> words = Arrays.asList(normalized.split("\\s+"));
        if (!WORD_COUNTS.contains(words.size())) {
            throw invalid("mnemonic has " + words.size() + " words; BIP-39 mnemonics have 12, 15, 18, 21 or 24");
        }
        for (int i = 0; i < words.size(); i++) {
            if (!WORDS.contains(words.get(i))) {
                throw invalid("mnemonic word " + (i + 1) + " of " + words.size() + " is not in the BIP-39 English word list");
            }
        }
        String joined = String.join(" ", words);
        if (!MnemonicUtils.validateMnemonic(joined)) {
            throw invalid("mnemonic checksum does not match: a word is wrong or the words are out of order");
        }
        return joined;
    }

    /** A new random mnemonic of 12, 15, 18, 21 or 24 words. */
    public static String generate(int wordCount, SecureRandom random) {
        if (!WORD_COUNTS.contains(wordCount)) {
            throw new IllegalArgumentException("word count must be 12, 15, 18, 21 or 24");
        }
        byte[] entropy = new byte[wordCount * 4 / 3];
        random.nextBytes(entropy);
        try {
            return MnemonicUtils.generateMnemonic(entropy);
        } finally {
            Arrays.fill(entropy, (byte) 0);
        }
    }

    /**
     * The key at {@code path} below the BIP-32 master key of the mnemonic's BIP-39 seed.
     *
     * @param passphrase the optional BIP-39 passphrase ("25th word"); {@code null} means none
     */
    public static Credentials toCredentials(String mnemonic, String passphrase, DerivationPath path) {
        String words = validate(mnemonic);
        String salt = passphrase == null ? "" : Normalizer.normalize(passphrase, Normalizer.Form.NFKD);
        byte[] seed = MnemonicUtils.generateSeed(words, salt);
        try {
            Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(seed);
            Bip32ECKeyPair child = Bip32ECKeyPair.deriveKeyPair(master, path.toArray());
            return Credentials.fromKeyPair(child);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    private static KeyException invalid(String message) {
        return new KeyException(KeyException.Reason.INVALID_MNEMONIC, message);
    }
}
