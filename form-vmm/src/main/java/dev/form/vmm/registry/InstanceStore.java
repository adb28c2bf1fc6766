package dev.form.vmm.registry;

import dev.form.core.model.InstanceState;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.VmEndpoint;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The instances table. Every method runs on the connection of a caller's transaction. */
public final class InstanceStore {
    private InstanceStore() {
    }

    private static final String COLUMNS = "id, name, owner, state, hypervisor, launch_spec, endpoint, autostart, adopted, created_at";

    public static void insert(Connection c, InstanceRecord r) throws SQLException {
        try (var st = c.prepareStatement("INSERT INTO instances(" + COLUMNS + ", updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
            st.setString(1, r.id());
            st.setString(2, r.name());
            st.setString(3, r.owner());
            st.setString(4, r.state().name());
            st.setString(5, r.hypervisor().name());
            st.setString(6, RegistryJson.write(r.launch()));
            st.setString(7, r.endpoint() == null ? null : RegistryJson.write(r.endpoint()));
            st.setInt(8, r.autostart() ? 1 : 0);
            st.setInt(9, r.adopted() ? 1 : 0);
            st.setLong(10, r.createdAt().toEpochMilli());
            st.setLong(11, System.currentTimeMillis());
            st.executeUpdate();
        }
    }

    /** Rewrites the mutable columns: state, launch config, endpoint, autostart. */
    public static void update(Connection c, InstanceRecord r) throws SQLException {
        try (var st = c.prepareStatement(
                "UPDATE instances SET state = ?, launch_spec = ?, endpoint = ?, autostart = ?, updated_at = ? WHERE id = ?")) {
            st.setString(1, r.state().name());
            st.setString(2, RegistryJson.write(r.launch()));
            st.setString(3, r.endpoint() == null ? null : RegistryJson.write(r.endpoint()));
            st.setInt(4, r.autostart() ? 1 : 0);
            st.setLong(5, System.currentTimeMillis());
            st.setString(6, r.id());
            if (st.executeUpdate() != 1) throw new SQLException("instance " + r.id() + " vanished from the registry");
        }
    }

    public static Optional<InstanceRecord> byId(Connection c, String id) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM instances WHERE id = ?", id);
    }

    public static Optional<InstanceRecord> byName(Connection c, String name) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM instances WHERE name = ?", name);
    }

    /** By id first, then by name: ids and names come from different alphabets so they cannot collide. */
    public static Optional<InstanceRecord> byRef(Connection c, String ref) throws SQLException {
        Optional<InstanceRecord> byId = byId(c, ref);
        return byId.isPresent() ? byId : byName(c, ref);
    }

    /**
     * The id {@code ref} (an id or a name, as {@link #byRef}) names, from the instances table alone: for
     * callers that need only the id inside the registry's writer, where parsing the record's launch
     * configuration would be work for nothing.
     */
    public static Optional<String> idByRef(Connection c, String ref) throws SQLException {
        Optional<String> byId = oneId(c, "SELECT id FROM instances WHERE id = ?", ref);
        return byId.isPresent() ? byId : oneId(c, "SELECT id FROM instances WHERE name = ?", ref);
    }

    public static List<InstanceRecord> all(Connection c) throws SQLException {
        List<InstanceRecord> out = new ArrayList<>();
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM instances ORDER BY created_at, id")) {
            ResultSet rs = st.executeQuery();
            while (rs.next()) out.add(map(rs));
        }
        return out;
    }

    /** Instances created with root disks (the others cannot hold an image). */
    public static List<InstanceRecord> withBootDisks(Connection c) throws SQLException {
        List<InstanceRecord> out = new ArrayList<>();
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM instances INDEXED BY instances_with_boot_disks "
                + "WHERE json_array_length(launch_spec, '$.bootDisks') > 0")) {
            ResultSet rs = st.executeQuery();
            while (rs.next()) out.add(map(rs));
        }
        return out;
    }

    public static void delete(Connection c, String id) throws SQLException {
        try (var st = c.prepareStatement("DELETE FROM instances WHERE id = ?")) {
            st.setString(1, id);
            st.executeUpdate();
        }
    }

    private static Optional<InstanceRecord> one(Connection c, String sql, String arg) throws SQLException {
        try (var st = c.prepareStatement(sql)) {
            st.setString(1, arg);
            ResultSet rs = st.executeQuery();
            return rs.next() ? Optional.of(map(rs)) : Optional.empty();
        }
    }

    private static Optional<String> oneId(Connection c, String sql, String arg) throws SQLException {
        try (var st = c.prepareStatement(sql)) {
            st.setString(1, arg);
            ResultSet rs = st.executeQuery();
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    private static InstanceRecord map(ResultSet rs) throws SQLException {
        return new InstanceRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                InstanceState.valueOf(rs.getString(4)), HypervisorKind.valueOf(rs.getString(5)),
                RegistryJson.read(rs.getString(6), LaunchConfig.class),
                RegistryJson.read(rs.getString(7), VmEndpoint.class),
                rs.getInt(8) != 0, rs.getInt(9) != 0, Instant.ofEpochMilli(rs.getLong(10)));
    }
}
