package dev.form.vmm.registry;

import dev.form.core.model.AccessLevel;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Grants of access levels on instances. Addresses are stored lower-case so comparisons ignore EIP-55 casing. */
public final class GrantStore {
    private GrantStore() {
    }

    public static void put(Connection c, String instanceId, String address, AccessLevel level, String grantedBy) throws SQLException {
        try (var st = c.prepareStatement("INSERT INTO grants(instance_id, address, level, granted_by, granted_at) VALUES (?,?,?,?,?) "
                + "ON CONFLICT(instance_id, address) DO UPDATE SET level = excluded.level, granted_by = excluded.granted_by, granted_at = excluded.granted_at")) {
            st.setString(1, instanceId);
            st.setString(2, address.toLowerCase(java.util.Locale.ROOT));
            st.setString(3, level.name());
            st.setString(4, grantedBy);
            st.setLong(5, System.currentTimeMillis());
            st.executeUpdate();
        }
    }

    public static boolean remove(Connection c, String instanceId, String address) throws SQLException {
        try (var st = c.prepareStatement("DELETE FROM grants WHERE instance_id = ? AND address = ?")) {
            st.setString(1, instanceId);
            st.setString(2, address.toLowerCase(java.util.Locale.ROOT));
            return st.executeUpdate() > 0;
        }
    }

    public static void removeAllOf(Connection c, String instanceId) throws SQLException {
        try (var st = c.prepareStatement("DELETE FROM grants WHERE instance_id = ?")) {
            st.setString(1, instanceId);
            st.executeUpdate();
        }
    }

    public static Optional<AccessLevel> levelOf(Connection c, String instanceId, String address) throws SQLException {
        try (var st = c.prepareStatement("SELECT level FROM grants WHERE instance_id = ? AND address = ?")) {
            st.setString(1, instanceId);
            st.setString(2, address.toLowerCase(java.util.Locale.ROOT));
            ResultSet rs = st.executeQuery();
            return rs.next() ? Optional.of(AccessLevel.valueOf(rs.getString(1))) : Optional.empty();
        }
    }

    /** address (lower-case) → level, in address order. */
    public static Map<String, AccessLevel> of(Connection c, String instanceId) throws SQLException {
        Map<String, AccessLevel> out = new LinkedHashMap<>();
        try (var st = c.prepareStatement("SELECT address, level FROM grants WHERE instance_id = ? ORDER BY address")) {
            st.setString(1, instanceId);
            ResultSet rs = st.executeQuery();
            while (rs.next()) out.put(rs.getString(1), AccessLevel.valueOf(rs.getString(2)));
        }
        return out;
    }

    /** instance id → level for one address across all instances. */
    public static Map<String, AccessLevel> heldBy(Connection c, String address) throws SQLException {
        Map<String, AccessLevel> out = new LinkedHashMap<>();
        try (var st = c.prepareStatement("SELECT instance_id, level FROM grants WHERE address = ?")) {
            st.setString(1, address.toLowerCase(java.util.Locale.ROOT));
            ResultSet rs = st.executeQuery();
            while (rs.next()) out.put(rs.getString(1), AccessLevel.valueOf(rs.getString(2)));
        }
        return out;
    }
}
