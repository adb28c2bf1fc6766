package dev.form.core.auth;

import dev.form.core.keys.PersonalSign;
import dev.form.core.keys.Secp256k1Signature;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Signers recovered from recent signatures, so that a request verified twice in one process (a queued
 * request: at the door, and again when it runs) pays for secp256k1 recovery once. Recovery is a pure
 * function of the signed bytes and the signature, and an entry is reused only for exactly those two;
 * everything else about a request (expiry, claimed signer, replay) is checked anew each time.
 *
 * <p>Direct-mapped and bounded: an entry replaces whatever shared its slot, no lock is taken.
 */
final class RecoveredSigners {
    /** A queued request waits for its turn behind the others accepted since: enough slots for a long backlog (about 4 MB when full). */
    private static final int SLOTS = 8192;

    private record Entry(byte[] message, String signatureHex, String address) {
    }

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

    Optional<String> recover(byte[] message, String signatureHex, Secp256k1Signature signature) {
        int slot = (Arrays.hashCode(message) * 31 + signatureHex.hashCode()) & (SLOTS - 1);
        Entry e = slots.get(slot);
        if (e != null && e.signatureHex().equals(signatureHex) && Arrays.equals(e.message(), message)) {
            return Optional.of(e.address());
        }
        Optional<String> address = PersonalSign.recoverAddress(message, signature);
        address.ifPresent(a -> slots.set(slot, new Entry(message.clone(), signatureHex, a)));
        return address;
    }
}
