package dev.form.core.keys;

import com.lambdaworks.crypto.SCrypt;

import java.security.GeneralSecurityException;

/**
 * scrypt key derivation. Bouncy Castle enforces RFC 7914's N &lt; 2^(16·r), which refuses parameters that
 * real keystores use (the Web3 Secret Storage spec's own vector has n=2^18, r=1); lambdaworks' pure-Java
 * implementation accepts every valid combination, so it takes those cases.
 */
final class Scrypt {
    private Scrypt() {
    }

    static byte[] derive(byte[] password, byte[] salt, int n, int r, int p, int dkLen) {
        // For r >= 2 the bound 2^(16·r) exceeds every int n.
        boolean bouncyCastleAccepts = r >= 2 || n < 65_536;
        if (bouncyCastleAccepts) {
            return org.bouncycastle.crypto.generators.SCrypt.generate(password, salt, n, r, p, dkLen);
        }
        try {
            // scryptJ, not scrypt: the latter first tries to load a native library.
            return SCrypt.scryptJ(password, salt, n, r, p, dkLen);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is always available", e);
        }
    }
}
