package dev.form.vmm.registry;

import dev.form.core.api.AuditEntry;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The append-only audit log: who did what to which instance, when, and how it ended. */
public final class AuditStore {
    private AuditStore() {
    }

    public static void append(Connection c, String caller, String instanceId, String operation, String resourceId,
                              String requestId, String outcome, Integer status, String detail) throws SQLException {
        try (var st = c.prepareStatement("INSERT INTO audit(at, caller, instance_id, operation, resource_id, request_id, outcome, status, detail) "
                + "VALUES (?,?,?,?,?,?,?,?,?)")) {
            st.setLong(1, System.currentTimeMillis());
            st.setString(2, caller);
            st.setString(3, instanceId);
            st.setString(4, operation);
            st.setString(5, resourceId);
            st.setString(6, requestId);
            st.setString(7, outcome);
            if (status == null) st.setNull(8, java.sql.Types.INTEGER);
            else st.setInt(8, status);
            st.setString(9, detail);
            st.executeUpdate();
        }
    }

    private static final String COLUMNS = "SELECT seq, at, caller, instance_id, operation, resource_id, request_id, outcome, status, detail FROM audit ";

    public static List<AuditEntry> of(Connection c, String instanceId, int limit) throws SQLException {
        List<AuditEntry> out;
        try (var st = c.prepareStatement(COLUMNS + "WHERE instance_id = ? ORDER BY seq DESC LIMIT ?")) {
            st.setString(1, instanceId);
            st.setInt(2, limit);
            out = entries(st.executeQuery());
        }
        // the newest `limit` entries, shown oldest first
        out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return out;
    }

    public static List<AuditEntry> byRequest(Connection c, String requestId) throws SQLException {
        try (var st = c.prepareStatement(COLUMNS + "WHERE request_id = ? ORDER BY seq")) {
            st.setString(1, requestId);
            return entries(st.executeQuery());
        }
    }

    private static List<AuditEntry> entries(ResultSet rs) throws SQLException {
        List<AuditEntry> out = new ArrayList<>();
        while (rs.next()) {
            int status = rs.getInt(9);
            Integer boxed = rs.wasNull() ? null : status;
            out.add(new AuditEntry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), boxed, rs.getString(10)));
        }
        return out;
    }
}
