package dev.form.vmm.queue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The queued_requests table. Every method runs on the connection of a caller's transaction. */
final class QueuedRequestStore {
    private QueuedRequestStore() {
    }

    private static final String COLUMNS = "seq, request_id, lane, instance, method, target, body, body_sha256, expires, signature, signer, source, "
            + "state, status, content_type, outcome, accepted_at, started_at, finished_at, attempts";

    static void insert(Connection c, QueuedRequestRecord r) throws SQLException {
        try (var st = c.prepareStatement("INSERT INTO queued_requests(request_id, lane, instance, method, target, body, body_sha256, expires, "
                + "signature, signer, source, state, accepted_at, started_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            st.setString(1, r.requestId());
            st.setString(2, r.lane());
            st.setString(3, r.instance());
            st.setString(4, r.method());
            st.setString(5, r.target());
            st.setBytes(6, r.body());
            st.setString(7, r.bodySha256());
            st.setLong(8, r.expires());
            st.setString(9, r.signature());
            st.setString(10, r.signer());
            st.setString(11, r.source());
            st.setString(12, r.state());
            st.setLong(13, r.acceptedAt().toEpochMilli());
            if (r.startedAt() == null) st.setNull(14, java.sql.Types.INTEGER);
            else st.setLong(14, r.startedAt().toEpochMilli());
            st.executeUpdate();
        }
    }

    static Optional<QueuedRequestRecord> find(Connection c, String requestId) throws SQLException {
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM queued_requests WHERE request_id = ?")) {
            st.setString(1, requestId);
            ResultSet rs = st.executeQuery();
            return rs.next() ? Optional.of(map(rs)) : Optional.empty();
        }
    }

    /** The oldest unfinished request of every lane (queued, or running when a crash interrupted it). */
    static List<QueuedRequestRecord> headsOfOpenLanes(Connection c, int limit) throws SQLException {
        List<QueuedRequestRecord> out = new ArrayList<>();
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM queued_requests WHERE seq IN ("
                + "SELECT MIN(seq) FROM queued_requests WHERE state IN ('queued','running') AND source = 'embedded' GROUP BY lane) ORDER BY seq LIMIT ?")) {
            st.setInt(1, limit);
            ResultSet rs = st.executeQuery();
            while (rs.next()) out.add(map(rs));
        }
        return out;
    }

    /** Marks requests as running (one commit for a whole round of lanes); returns those that were still open. */
    static List<Long> markRunning(Connection c, List<Long> seqs, Instant now) throws SQLException {
        try (var st = c.prepareStatement("UPDATE queued_requests SET state = 'running', started_at = ?, attempts = attempts + 1 WHERE seq = ? AND state IN ('queued','running')")) {
            for (long seq : seqs) {
                st.setLong(1, now.toEpochMilli());
                st.setLong(2, seq);
                st.addBatch();
            }
            int[] counts = st.executeBatch();
            List<Long> open = new ArrayList<>();
            for (int i = 0; i < counts.length; i++) if (counts[i] > 0) open.add(seqs.get(i));
            return open;
        }
    }

    /** The oldest queued request of a lane from the embedded queue, if any. */
    static Optional<QueuedRequestRecord> nextQueued(Connection c, String lane) throws SQLException {
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM queued_requests WHERE lane = ? AND state = 'queued' AND source = 'embedded' ORDER BY seq LIMIT 1")) {
            st.setString(1, lane);
            ResultSet rs = st.executeQuery();
            return rs.next() ? Optional.of(map(rs)) : Optional.empty();
        }
    }

    /** Records the one outcome; a request already finished keeps its first outcome (returns false). */
    static boolean finish(Connection c, String requestId, String state, int status, String contentType, byte[] outcome, Instant now) throws SQLException {
        try (var st = c.prepareStatement("UPDATE queued_requests SET state = ?, status = ?, content_type = ?, outcome = ?, finished_at = ? "
                + "WHERE request_id = ? AND state IN ('queued','running')")) {
            st.setString(1, state);
            st.setInt(2, status);
            st.setString(3, contentType);
            st.setBytes(4, outcome);
            st.setLong(5, now.toEpochMilli());
            st.setString(6, requestId);
            return st.executeUpdate() == 1;
        }
    }

    static int countOpen(Connection c) throws SQLException {
        try (var st = c.prepareStatement("SELECT COUNT(*) FROM queued_requests WHERE state IN ('queued','running')")) {
            ResultSet rs = st.executeQuery();
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static QueuedRequestRecord map(ResultSet rs) throws SQLException {
        return new QueuedRequestRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getBytes(7), rs.getString(8), rs.getLong(9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13),
                integer(rs, 14), rs.getString(15), rs.getBytes(16),
                Instant.ofEpochMilli(rs.getLong(17)), instant(rs, 18), instant(rs, 19), rs.getInt(20));
    }

    private static Integer integer(ResultSet rs, int column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
