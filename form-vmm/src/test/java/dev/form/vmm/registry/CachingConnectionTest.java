package dev.form.vmm.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Kept prepared statements behave as fresh ones would, on a real SQLite file. */
class CachingConnectionTest {
    @TempDir
    Path dir;

    private Connection open() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
        try (var st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
        }
        return CachingConnection.wrap(c);
    }

    @Test
    void aStatementIsPreparedOnceAndResetBetweenUsers() throws Exception {
        try (Connection c = open()) {
            c.createStatement().execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)");
            PreparedStatement first;
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO t(k, v) VALUES (?, ?)")) {
                first = ins;
                ins.setInt(1, 1);
                ins.setString(2, "one");
                ins.executeUpdate();
            }
            assertThat(first.isClosed()).isTrue();
            assertThatThrownBy(() -> first.setInt(1, 5)).hasMessageContaining("used after close()");
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO t(k, v) VALUES (?, ?)")) {
                assertThat(ins).as("the same statement, handed out again").isSameAs(first);
                ins.setInt(1, 2);
                // parameters were cleared: v is bound to NULL now, not to the last caller's "one"
                assertThat(ins.executeUpdate()).isEqualTo(1);
            }
            assertThat(values(c)).containsExactly("1=one", "2=null");
            assertThat(c).isEqualTo(c).hasSameHashCodeAs(c);
            assertThat(first).isEqualTo(first).isNotEqualTo(c.prepareStatement("SELECT 1"));
        }
    }

    @Test
    void aQueryRunAgainWhileItsRowsAreReadGetsAStatementOfItsOwn() throws Exception {
        try (Connection c = open()) {
            c.createStatement().execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)");
            c.createStatement().execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
            StringBuilder seen = new StringBuilder();
            try (PreparedStatement outer = c.prepareStatement("SELECT k, v FROM t WHERE k >= ? ORDER BY k")) {
                outer.setInt(1, 1);
                ResultSet rs = outer.executeQuery();
                while (rs.next()) {
                    try (PreparedStatement inner = c.prepareStatement("SELECT k, v FROM t WHERE k >= ? ORDER BY k")) {
                        assertThat(inner).isNotSameAs(outer);
                        inner.setInt(1, rs.getInt(1));
                        ResultSet in = inner.executeQuery();
                        assertThat(in.next()).isTrue();
                        seen.append(rs.getString(2)).append(in.getString(2));
                    }
                }
            }
            assertThat(seen.toString()).isEqualTo("aabbcc");
        }
    }

    @Test
    void aClosedQueryNoLongerHoldsItsSnapshot() throws Exception {
        try (Connection reader = open(); Connection writer = open()) {
            writer.createStatement().execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)");
            try (PreparedStatement q = reader.prepareStatement("SELECT COUNT(*) FROM t")) {
                ResultSet rs = q.executeQuery(); // rows left unread: only close() ends the read
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isZero();
            }
            writer.createStatement().execute("INSERT INTO t VALUES (1, 'a')");
            // a reader still inside its read transaction would keep the log from being checkpointed in full
            ResultSet cp = writer.createStatement().executeQuery("PRAGMA wal_checkpoint(TRUNCATE)");
            assertThat(cp.next()).isTrue();
            assertThat(cp.getInt(1)).as("checkpoint blocked by a reader").isZero();
        }
    }

    @Test
    void theLeastRecentlyUsedStatementIsClosedBeyondTheLimit() throws Exception {
        try (Connection c = open()) {
            PreparedStatement oldest;
            try (PreparedStatement s = c.prepareStatement("SELECT 0")) {
                oldest = s;
            }
            for (int i = 1; i <= CachingConnection.MAX_STATEMENTS; i++) {
                try (PreparedStatement s = c.prepareStatement("SELECT " + i)) {
                    assertThat(s.executeQuery().getInt(1)).isEqualTo(i);
                }
            }
            try (PreparedStatement again = c.prepareStatement("SELECT 0")) {
                assertThat(again).as("evicted, so prepared anew").isNotSameAs(oldest);
                assertThat(again.executeQuery().getInt(1)).isZero();
            }
        }
    }

    private static java.util.List<String> values(Connection c) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT k, v FROM t ORDER BY k")) {
            ResultSet rs = q.executeQuery();
            while (rs.next()) out.add(rs.getInt(1) + "=" + rs.getString(2));
        }
        return out;
    }
}
