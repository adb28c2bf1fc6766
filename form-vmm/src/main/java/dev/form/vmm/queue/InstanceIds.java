package dev.form.vmm.queue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The id an instance reference (an id or a name) names, read from the instances table alone. Accepting a
 * queued request needs only that id, inside the registry's single writer: reading the whole instance
 * record there would parse its launch configuration's JSON for nothing, once per queued request.
 */
final class InstanceIds {
    private InstanceIds() {
    }

    /** By id first, then by name (ids and names come from different alphabets, as InstanceStore.byRef has it). */
    static Optional<String> of(Connection c, String ref) throws SQLException {
        Optional<String> byId = one(c, "SELECT id FROM instances WHERE id = ?", ref);
        return byId.isPresent() ? byId : one(c, "SELECT id FROM instances WHERE name = ?", ref);
    }

    private static Optional<String> one(Connection c, String sql, String arg) throws SQLException {
        try (var st = c.prepareStatement(sql)) {
            st.setString(1, arg);
            ResultSet rs = st.executeQuery();
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }
}
