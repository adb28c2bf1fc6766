package dev.form.vmm.registry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies the write-ahead log back into the database file on its own thread and connection. SQLite's own
 * automatic checkpoint runs inside whichever commit takes the log past 1,000 pages; every write goes through
 * one writer thread, so under load that was the writer, about every 100 ms, and each request waiting for a
 * commit waited 2-7 ms more (the service benchmark: three in four of its slowest paced requests overlapped
 * such a commit). A passive checkpoint blocks neither the writer nor the readers, and durability does not
 * change: each FULL commit still fsyncs the log, and a checkpoint fsyncs the database file before the log is
 * reused.
 */
final class WalCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WalCheckpointer.class);
    /** Short enough that a checkpoint copies a few hundred pages under load, not thousands. */
    static final Duration PERIOD = Duration.ofMillis(50);

    private final Connection connection;
    private final Thread thread;
    private volatile boolean dirty;
    private volatile boolean closed;
    private long checkpoints;

    WalCheckpointer(Connection connection, String name) {
        this.connection = connection;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
        this.thread.start();
    }

    /** The writer committed: the log has grown. */
    void committed() {
        dirty = true;
    }

    /** Checkpoints run so far. */
    synchronized long checkpoints() {
        return checkpoints;
    }

    private void loop() {
        while (!closed) {
            LockSupport.parkNanos(PERIOD.toNanos());
            if (!dirty || closed) continue;
            dirty = false;
            checkpoint();
        }
    }

    private synchronized void checkpoint() {
        try (var st = connection.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(PASSIVE)");
            checkpoints++;
        } catch (SQLException e) {
            // the log keeps growing until a later checkpoint succeeds; nothing written is at risk
            LOG.warn("registry checkpoint failed: {}", e.getMessage());
            dirty = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
