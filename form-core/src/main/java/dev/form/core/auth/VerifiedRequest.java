package dev.form.core.auth;

import java.time.Instant;

/**
 * A request whose signature checked out.
 *
 * @param address    the signer's EIP-55 checksummed address
 * @param nonce      the request id; the service records it (with method, target and body hash) until {@code expires}
 * @param expires    when the signature stops being valid
 * @param bodySha256 lower-case hex SHA-256 of the exact body bytes
 */
public record VerifiedRequest(String address, String nonce, Instant expires, String bodySha256) {
}
