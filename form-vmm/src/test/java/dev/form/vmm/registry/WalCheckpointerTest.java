package dev.form.vmm.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry's write-ahead log is copied into the database file by the checkpointer's own thread, never by a
 * commit: the writer's connection does not checkpoint, and yet committed rows reach the database file while the
 * registry is open.
 */
class WalCheckpointerTest {
    private static final Migration ITEMS = Migration.of("test-001-items", "CREATE TABLE items (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");

    @TempDir
    Path dir;

    @Test
    void committedRowsReachTheDatabaseFileThroughTheCheckpointerAlone() throws Exception {
        Path file = dir.resolve("registry.db");
        try (Registry r = Registry.open(file, List.of(ITEMS))) {
            int autocheckpoint = r.write(c -> {
                try (var st = c.createStatement(); var rs = st.executeQuery("PRAGMA wal_autocheckpoint")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(autocheckpoint).as("pages after which a commit would checkpoint").isZero();
            for (int i = 0; i < 200; i++) {
                int v = i;
                r.write(c -> {
                    try (var st = c.prepareStatement("INSERT INTO items(k, v) VALUES (?, ?)")) {
                        st.setString(1, "k" + v);
                        st.setInt(2, v);
                        st.executeUpdate();
                    }
                    return null;
                });
            }
            // The database file alone, without its log: what has been checkpointed into it.
            await().atMost(Duration.ofSeconds(10)).until(() -> rowsInTheDatabaseFileAlone(file) == 200);
            assertThat(r.checkpointCount()).isPositive();
            assertThat(Files.size(file.resolveSibling("registry.db-wal"))).as("the log is still in use").isPositive();
        }
    }

    private int rowsInTheDatabaseFileAlone(Path file) throws Exception {
        Path copy = Files.createTempFile(dir, "main-only", ".db");
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy);
             var st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM items")) {
            return rs.next() ? rs.getInt(1) : -1;
        } catch (SQLException e) {
            return -1; // the table itself not yet checkpointed
        } finally {
            Files.deleteIfExists(copy);
        }
    }
}
