package dev.form.vmm.registry;

import dev.form.core.model.ResourceState;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The resources table: one row per hot-added resource. A removed resource keeps its row (state
 * removed) as history; the live id index only covers rows that are not removed.
 */
public final class ResourceStore {
    private ResourceStore() {
    }

    private static final String COLUMNS = "seq, instance_id, id, state, spec, pci_address, intent_id, caller, created_at";

    /** Records an intent or a cold-recorded resource; returns the row with its sequence number. */
    public static ResourceRecord insert(Connection c, ResourceRecord r) throws SQLException {
        try (var st = c.prepareStatement("INSERT INTO resources(instance_id, id, kind, state, spec, pci_address, intent_id, caller, created_at, updated_at) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING seq")) {
            st.setString(1, r.instanceId());
            st.setString(2, r.id());
            st.setString(3, r.spec().kind().wireName());
            st.setString(4, r.state().wireName());
            st.setString(5, RegistryJson.write(r.spec()));
            st.setString(6, r.pciAddress());
            st.setString(7, r.intentId());
            st.setString(8, r.caller());
            st.setLong(9, r.createdAt().toEpochMilli());
            st.setLong(10, System.currentTimeMillis());
            // RETURNING, not getGeneratedKeys: the driver answers that with a statement compiled anew each time
            ResultSet keys = st.executeQuery();
            long seq = keys.next() ? keys.getLong(1) : 0;
            return new ResourceRecord(seq, r.instanceId(), r.id(), r.state(), r.spec(), r.pciAddress(), r.intentId(), r.caller(), r.createdAt());
        }
    }

    public static void updateState(Connection c, long seq, ResourceState state, String pciAddress, String intentId) throws SQLException {
        try (var st = c.prepareStatement("UPDATE resources SET state = ?, pci_address = ?, intent_id = COALESCE(?, intent_id), updated_at = ? WHERE seq = ?")) {
            st.setString(1, state.wireName());
            st.setString(2, pciAddress);
            st.setString(3, intentId);
            st.setLong(4, System.currentTimeMillis());
            st.setLong(5, seq);
            if (st.executeUpdate() != 1) throw new SQLException("resource row " + seq + " vanished from the registry");
        }
    }

    public static void delete(Connection c, long seq) throws SQLException {
        try (var st = c.prepareStatement("DELETE FROM resources WHERE seq = ?")) {
            st.setLong(1, seq);
            st.executeUpdate();
        }
    }

    public static void deleteAllOf(Connection c, String instanceId) throws SQLException {
        try (var st = c.prepareStatement("DELETE FROM resources WHERE instance_id = ?")) {
            st.setString(1, instanceId);
            st.executeUpdate();
        }
    }

    /** The resources of an instance that are not removed, oldest first. */
    public static List<ResourceRecord> live(Connection c, String instanceId) throws SQLException {
        return list(c, "SELECT " + COLUMNS + " FROM resources WHERE instance_id = ? AND state <> 'removed' ORDER BY seq", instanceId);
    }

    /** The ids of the instances with a resource in {@code state} (indexed by state). */
    public static Set<String> instancesWith(Connection c, ResourceState state) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (var st = c.prepareStatement("SELECT DISTINCT instance_id FROM resources WHERE state = ?")) {
            st.setString(1, state.wireName());
            ResultSet rs = st.executeQuery();
            while (rs.next()) ids.add(rs.getString(1));
        }
        return ids;
    }

    /** Every resource row of an instance including removed ones, oldest first. */
    public static List<ResourceRecord> history(Connection c, String instanceId) throws SQLException {
        return list(c, "SELECT " + COLUMNS + " FROM resources WHERE instance_id = ? ORDER BY seq", instanceId);
    }

    public static Optional<ResourceRecord> liveById(Connection c, String instanceId, String id) throws SQLException {
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE instance_id = ? AND id = ? AND state <> 'removed'")) {
            st.setString(1, instanceId);
            st.setString(2, id);
            ResultSet rs = st.executeQuery();
            return rs.next() ? Optional.of(map(rs)) : Optional.empty();
        }
    }

    /** Live resources of one kind on every instance (image claims, device assignments across VMs). */
    public static List<ResourceRecord> allLiveOfKind(Connection c, dev.form.core.model.ResourceKind kind) throws SQLException {
        List<ResourceRecord> out = new ArrayList<>();
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM resources INDEXED BY resources_live_kind WHERE state <> 'removed' AND kind = ? ORDER BY seq")) {
            st.setString(1, kind.wireName());
            ResultSet rs = st.executeQuery();
            while (rs.next()) out.add(map(rs));
        }
        return out;
    }

    /** Live resources of every instance. */
    public static List<ResourceRecord> allLive(Connection c) throws SQLException {
        List<ResourceRecord> out = new ArrayList<>();
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE state <> 'removed' ORDER BY seq")) {
            ResultSet rs = st.executeQuery();
            while (rs.next()) out.add(map(rs));
        }
        return out;
    }

    /**
     * The instance whose removed disk had the image of this identity (device:inode) created by the
     * service: that image still belongs to it. The latest such row when there are several.
     */
    public static Optional<String> creatorOfRemovedImage(Connection c, String imageIdentity) throws SQLException {
        try (var st = c.prepareStatement("SELECT instance_id FROM resources INDEXED BY resources_removed_created_image_identity "
                + "WHERE state = 'removed' AND kind = 'disk' AND json_extract(spec, '$.createdImage') = 1 "
                + "AND json_extract(spec, '$.imageIdentity') = ? ORDER BY seq DESC LIMIT 1")) {
            st.setString(1, imageIdentity);
            ResultSet rs = st.executeQuery();
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    public static int countLive(Connection c, String instanceId) throws SQLException {
        try (var st = c.prepareStatement("SELECT COUNT(*) FROM resources WHERE instance_id = ? AND state <> 'removed'")) {
            st.setString(1, instanceId);
            ResultSet rs = st.executeQuery();
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static List<ResourceRecord> list(Connection c, String sql, String arg) throws SQLException {
        List<ResourceRecord> out = new ArrayList<>();
        try (var st = c.prepareStatement(sql)) {
            st.setString(1, arg);
            ResultSet rs = st.executeQuery();
            while (rs.next()) out.add(map(rs));
        }
        return out;
    }

    private static ResourceRecord map(ResultSet rs) throws SQLException {
        return new ResourceRecord(rs.getLong(1), rs.getString(2), rs.getString(3),
                ResourceState.valueOf(rs.getString(4).toUpperCase(java.util.Locale.ROOT)),
                RegistryJson.read(rs.getString(5), ResourceSpec.class), rs.getString(6), rs.getString(7),
                rs.getString(8), Instant.ofEpochMilli(rs.getLong(9)));
    }
}
