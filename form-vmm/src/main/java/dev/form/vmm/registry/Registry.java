package dev.form.vmm.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The service's durable state: one SQLite file in the data directory, WAL journal with
 * {@code synchronous=FULL} so every acknowledged commit survives a kill -9 or a power cut.
 * Writes go through one connection, one transaction at a time ({@link #write}); reads use a second
 * connection so they never wait for a write's fsync.
 */
public final class Registry implements AutoCloseable {
    private final Path file;
    private final Connection writer;
    private final Connection reader;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();

    private Registry(Path file, Connection writer, Connection reader) {
        this.file = file;
        this.writer = writer;
        this.reader = reader;
    }

    /**
     * Opens (creating when absent, mode 0600) the registry file and brings its schema up to date:
     * the service's own migrations first, then {@code extensions} (e.g. the embedded queue's tables)
     * in the order given.
     */
    public static Registry open(Path file, List<Migration> extensions) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file);
                }
            }
            Connection writer = connect(file);
            Connection reader = connect(file);
            Registry registry = new Registry(file, writer, reader);
            List<Migration> all = new ArrayList<>(CoreMigrations.all());
            all.addAll(extensions);
            registry.migrate(all);
            registry.tightenSideFiles();
            return registry;
        } catch (SQLException | IOException e) {
            throw new RegistryException("cannot open the registry " + file + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (var st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=FULL");
            st.execute("PRAGMA foreign_keys=ON");
            st.execute("PRAGMA busy_timeout=10000");
        }
        c.setAutoCommit(true);
        return c;
    }

    private void tightenSideFiles() {
        for (String suffix : List.of("-wal", "-shm")) {
            Path side = file.resolveSibling(file.getFileName() + suffix);
            try {
                if (Files.exists(side)) Files.setPosixFilePermissions(side, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | UnsupportedOperationException ignored) {
                // best effort: the data directory itself is 0700
            }
        }
    }

    private void migrate(List<Migration> migrations) {
        write(c -> {
            try (var st = c.createStatement()) {
                st.executeUpdate("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
            }
            return null;
        });
        Set<String> seen = new HashSet<>();
        for (Migration m : migrations) {
            if (!seen.add(m.id())) throw new IllegalArgumentException("duplicate migration id " + m.id());
            write(c -> {
                try (var q = c.prepareStatement("SELECT 1 FROM schema_migrations WHERE id = ?")) {
                    q.setString(1, m.id());
                    if (q.executeQuery().next()) return null;
                }
                m.apply(c);
                try (var ins = c.prepareStatement("INSERT INTO schema_migrations(id, applied_at) VALUES (?, ?)")) {
                    ins.setString(1, m.id());
                    ins.setLong(2, Instant.now().getEpochSecond());
                    ins.executeUpdate();
                }
                return null;
            });
        }
    }

    /** The ids of every applied migration, in the order they were applied. */
    public List<String> appliedMigrations() {
        return read(c -> {
            List<String> ids = new ArrayList<>();
            try (var q = c.prepareStatement("SELECT id FROM schema_migrations ORDER BY rowid")) {
                var rs = q.executeQuery();
                while (rs.next()) ids.add(rs.getString(1));
            }
            return ids;
        });
    }

    /** Runs {@code work} in one transaction and commits it (one fsync) before returning. */
    public <T> T write(SqlWork<T> work) {
        writeLock.lock();
        try {
            writer.setAutoCommit(false);
            try {
                T result = work.run(writer);
                writer.commit();
                return result;
            } catch (Throwable t) {
                try {
                    writer.rollback();
                } catch (SQLException suppressed) {
                    t.addSuppressed(suppressed);
                }
                throw t;
            } finally {
                writer.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new RegistryException("registry write failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs read-only {@code work} on a consistent snapshot. */
    public <T> T read(SqlWork<T> work) {
        readLock.lock();
        try {
            reader.setAutoCommit(false);
            try {
                return work.run(reader);
            } finally {
                reader.rollback();
                reader.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new RegistryException("registry read failed: " + e.getMessage(), e);
        } finally {
            readLock.unlock();
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        for (Connection c : List.of(writer, reader)) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
