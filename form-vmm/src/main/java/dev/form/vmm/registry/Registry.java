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

/**
 * The service's durable state: one SQLite file in the data directory, WAL journal with
 * {@code synchronous=FULL} so every acknowledged commit survives a kill -9 or a power cut (intents,
 * which acknowledge nothing, are held to less: see {@link #writeIntent}).
 * Writes go through one connection owned by a {@link GroupCommitWriter}: concurrent writers share
 * one commit (one fsync) while each still gets its own all-or-nothing unit. Reads use a small pool of
 * read-only connections so they never wait for a write's fsync nor for each other.
 */
public final class Registry implements AutoCloseable {
    /** Two cores here: more readers than this only add page caches (memory), not throughput. */
    private static final int READERS = 4;
    /** Readers do point lookups: a small page cache each keeps the pool's memory low (KiB, negative per SQLite). */
    private static final int READER_CACHE_KIB = 512;

    private final Path file;
    private final Connection writer;
    private final WalCheckpointer checkpointer;
    private final GroupCommitWriter writes;
    private final ReaderPool reads;

    private Registry(Path file, Connection writer, Connection checkpoints, List<Connection> readers) {
        this.file = file;
        this.writer = writer;
        this.checkpointer = new WalCheckpointer(checkpoints, "registry-checkpoint " + file.getFileName());
        this.writes = new GroupCommitWriter(writer, "registry-writer " + file.getFileName(), checkpointer::committed);
        this.reads = new ReaderPool(readers);
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
            // the writer switches the file to WAL first, so the readers open a WAL database
            Connection writer = connect(file, false);
            Connection checkpoints = connect(file, false);
            List<Connection> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) readers.add(connect(file, true));
            Registry registry = new Registry(file, writer, checkpoints, readers);
            try {
                List<Migration> all = new ArrayList<>(CoreMigrations.all());
                all.addAll(extensions);
                registry.migrate(all);
                registry.tightenSideFiles();
            } catch (RuntimeException e) {
                registry.close();
                throw e;
            }
            return registry;
        } catch (SQLException | IOException e) {
            throw new RegistryException("cannot open the registry " + file + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect(Path file, boolean readOnly) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (var st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=FULL");
            st.execute("PRAGMA foreign_keys=ON");
            st.execute("PRAGMA busy_timeout=10000");
            // no commit checkpoints the log: WalCheckpointer does, on its own thread
            st.execute("PRAGMA wal_autocheckpoint=0");
            if (readOnly) {
                st.execute("PRAGMA query_only=ON");
                st.execute("PRAGMA cache_size=-" + READER_CACHE_KIB);
            }
        }
        c.setAutoCommit(true);
        return CachingConnection.wrap(c);
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

    /**
     * Runs {@code work} as one all-or-nothing unit and returns once it is committed (fsynced). Units
     * submitted concurrently share a commit; each sees its own writes, and a failing unit is rolled
     * back alone and its failure thrown to its own caller only.
     */
    public <T> T write(SqlWork<T> work) {
        return writes.submit(work, true);
    }

    /**
     * As {@link #write}, but returns once the unit is in SQLite's write-ahead log, without waiting for
     * the disk: it survives a crash or kill -9 of the service, not a crash of the host. For intents
     * only — what is recorded just before a hypervisor call so that a restarted service can settle
     * the call. The hypervisor's own state does not outlive the host either (its VMs start again from
     * the registry), and the result recorded after the call is fsynced, which makes the intent
     * durable with it; an intent lost with the host therefore guards nothing that still exists.
     */
    public <T> T writeIntent(SqlWork<T> work) {
        return writes.submit(work, false);
    }

    /** Runs read-only {@code work} on a consistent snapshot that includes every write already returned. */
    public <T> T read(SqlWork<T> work) {
        return reads.read(work);
    }

    /** Commits (fsyncs) made so far; fewer than writes when concurrent writes shared them. */
    long commitCount() {
        return writes.commits();
    }

    /** Checkpoints of the log into the database file made so far, all by the checkpointer's thread. */
    long checkpointCount() {
        return checkpointer.checkpoints();
    }

    /** Writes waiting for the writer thread right now. */
    int queuedWrites() {
        return writes.queued();
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        writes.close();
        checkpointer.close();
        reads.close();
        try {
            writer.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }
}
