package dev.form.vmm.registry;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Seen nonces with the outcome their request produced. A row is written in the same transaction as
 * the request's effect, so a request either happened and is remembered, or neither.
 */
public final class NonceStore {
    private NonceStore() {
    }

    /** A request's identity and its recorded outcome. */
    public record SeenNonce(String nonce, String method, String target, String bodySha256, long expires, String caller,
                            int status, String contentType, byte[] body) {
        public boolean sameRequest(String m, String t, String sha) {
            return method.equals(m) && target.equals(t) && bodySha256.equals(sha);
        }
    }

    public static Optional<SeenNonce> find(Connection c, String nonce) throws SQLException {
        try (var st = c.prepareStatement("SELECT nonce, method, target, body_sha256, expires, caller, status, content_type, body FROM nonces WHERE nonce = ?")) {
            st.setString(1, nonce);
            ResultSet rs = st.executeQuery();
            if (!rs.next()) return Optional.empty();
            return Optional.of(new SeenNonce(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                    rs.getString(6), rs.getInt(7), rs.getString(8), rs.getBytes(9)));
        }
    }

    /** Records the outcome; a nonce that is already there keeps its first outcome (returns false). */
    public static boolean record(Connection c, SeenNonce n) throws SQLException {
        try (var st = c.prepareStatement("INSERT OR IGNORE INTO nonces(nonce, method, target, body_sha256, expires, caller, status, content_type, body, recorded_at) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?)")) {
            st.setString(1, n.nonce());
            st.setString(2, n.method());
            st.setString(3, n.target());
            st.setString(4, n.bodySha256());
            st.setLong(5, n.expires());
            st.setString(6, n.caller());
            st.setInt(7, n.status());
            st.setString(8, n.contentType());
            st.setBytes(9, n.body());
            st.setLong(10, System.currentTimeMillis());
            return st.executeUpdate() == 1;
        }
    }

    /** Forgets nonces whose expiry passed: a request that old is refused as expired before its nonce is looked up. */
    public static int prune(Connection c, long nowEpochSeconds) throws SQLException {
        try (var st = c.prepareStatement("DELETE FROM nonces WHERE expires < ?")) {
            st.setLong(1, nowEpochSeconds);
            return st.executeUpdate();
        }
    }
}
