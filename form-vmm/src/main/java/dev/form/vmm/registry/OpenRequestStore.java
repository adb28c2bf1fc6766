package dev.form.vmm.registry;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Requests whose intent is recorded but whose outcome is not yet: written with the intent, deleted
 * with the outcome. After a crash, reconciliation settles each one and records its outcome under its
 * nonce, so the requester (or a queue redelivering it) gets exactly one answer.
 */
public final class OpenRequestStore {
    private OpenRequestStore() {
    }

    /**
     * @param single true when the answer is one view (add, remove), false for a batch's list
     */
    public record OpenRequest(String nonce, String instanceId, String operation, String method, String target,
                              String bodySha256, long expires, String caller, boolean single) {
    }

    public static void insert(Connection c, OpenRequest r) throws SQLException {
        try (var st = c.prepareStatement("INSERT OR REPLACE INTO open_requests(nonce, instance_id, operation, method, target, body_sha256, expires, caller, single, created_at) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?)")) {
            st.setString(1, r.nonce());
            st.setString(2, r.instanceId());
            st.setString(3, r.operation());
            st.setString(4, r.method());
            st.setString(5, r.target());
            st.setString(6, r.bodySha256());
            st.setLong(7, r.expires());
            st.setString(8, r.caller());
            st.setInt(9, r.single() ? 1 : 0);
            st.setLong(10, System.currentTimeMillis());
            st.executeUpdate();
        }
    }

    public static void delete(Connection c, String nonce) throws SQLException {
        try (var st = c.prepareStatement("DELETE FROM open_requests WHERE nonce = ?")) {
            st.setString(1, nonce);
            st.executeUpdate();
        }
    }

    public static Optional<OpenRequest> find(Connection c, String nonce) throws SQLException {
        try (var st = c.prepareStatement("SELECT nonce, instance_id, operation, method, target, body_sha256, expires, caller, single FROM open_requests WHERE nonce = ?")) {
            st.setString(1, nonce);
            ResultSet rs = st.executeQuery();
            return rs.next() ? Optional.of(map(rs)) : Optional.empty();
        }
    }

    public static List<OpenRequest> ofInstance(Connection c, String instanceId) throws SQLException {
        List<OpenRequest> out = new ArrayList<>();
        try (var st = c.prepareStatement("SELECT nonce, instance_id, operation, method, target, body_sha256, expires, caller, single FROM open_requests WHERE instance_id = ? ORDER BY created_at")) {
            st.setString(1, instanceId);
            ResultSet rs = st.executeQuery();
            while (rs.next()) out.add(map(rs));
        }
        return out;
    }

    private static OpenRequest map(ResultSet rs) throws SQLException {
        return new OpenRequest(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getLong(7), rs.getString(8), rs.getInt(9) != 0);
    }
}
