package dev.form.vmm.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The registry's single writer: one thread owns the write connection, drains whatever units of work
 * are queued, runs each inside its own SAVEPOINT (a failing unit rolls back alone) and commits the
 * batch with one fsync. A caller's future completes only after that commit, so {@link #submit}
 * returns only once the caller's work is durable — the fsync is shared, the guarantee is not weakened.
 *
 * <p>A unit may ask for less: committed to the write-ahead log without waiting for the disk, which
 * survives a crash of the process but not of the host. A batch is fsynced when any of its units asks
 * for it, and an fsync of the log makes every earlier commit durable as well.
 */
final class GroupCommitWriter implements AutoCloseable {
    /** Enough to amortise one fsync over a burst of requests, small enough to keep each batch short. */
    private static final int MAX_BATCH = 128;

    private final Connection connection;
    private final Runnable afterCommit;
    private final LinkedBlockingQueue<Unit<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
    /** The connection's synchronous setting now: FULL (true) or NORMAL; only the writer thread reads or sets it. */
    private boolean syncing = true;

    /**
     * @param afterCommit told after each commit, on the writer thread (the checkpointer's cue); must not block
     */
    GroupCommitWriter(Connection connection, String name, Runnable afterCommit) {
        this.connection = connection;
        this.afterCommit = afterCommit;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
        this.thread.start();
    }

    /** One caller's work and where its outcome goes. */
    private static final class Unit<T> {
        final SqlWork<T> work;
        final boolean fsync;
        final CompletableFuture<T> outcome = new CompletableFuture<>();
        T result;
        Throwable failure;

        Unit(SqlWork<T> work, boolean fsync) {
            this.work = work;
            this.fsync = fsync;
        }

        void complete() {
            if (failure == null) outcome.complete(result);
            else outcome.completeExceptionally(failure);
        }
    }

    /**
     * Runs {@code work} in the next batch and waits (uninterruptibly, like a lock) until it is committed:
     * fsynced when {@code fsync}, else written to the log only (see the class comment).
     */
    <T> T submit(SqlWork<T> work, boolean fsync) {
        if (Thread.currentThread() == thread) return nested(work);
        if (closed) throw new RegistryException("the registry is closed", null);
        Unit<T> unit = new Unit<>(work, fsync);
        queue.add(unit);
        if (closed && queue.remove(unit)) throw new RegistryException("the registry is closed", null);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return unit.outcome.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the work may already be committing: its outcome must still be reported
                } catch (ExecutionException e) {
                    throw rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Work that writes from inside another unit joins that unit's transaction, as it did with a reentrant lock. */
    private <T> T nested(SqlWork<T> work) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new RegistryException("registry write failed: " + e.getMessage(), e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof SQLException e) return new RegistryException("registry write failed: " + e.getMessage(), e);
        if (t instanceof RuntimeException e) return e;
        if (t instanceof Error e) throw e;
        return new RegistryException("registry write failed: " + t, t);
    }

    private void loop() {
        List<Unit<?>> batch = new ArrayList<>();
        while (true) {
            try {
                Unit<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) break;
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                runBatch(batch);
            } catch (InterruptedException e) {
                if (closed) break;
            } catch (Throwable t) {
                // the writer thread must outlive any failure, or every later write would wait forever
                for (Unit<?> u : batch) {
                    if (u.outcome.isDone()) continue;
                    u.failure = t;
                    u.complete();
                }
            } finally {
                batch.clear();
            }
        }
        // whatever arrived during close is refused, never silently dropped
        for (Unit<?> u; (u = queue.poll()) != null; ) {
            u.failure = new RegistryException("the registry is closed", null);
            u.complete();
        }
    }

    private void runBatch(List<Unit<?>> batch) {
        try {
            boolean fsync = batch.stream().anyMatch(u -> u.fsync);
            if (fsync != syncing) {
                // set between transactions: SQLite applies it to the commits that follow
                try (Statement st = connection.createStatement()) {
                    st.execute(fsync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
                }
                syncing = fsync;
            }
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            failAll(batch, e);
            for (Unit<?> u : batch) u.complete();
            return;
        }
        boolean transactionUsable = true;
        try {
            for (Unit<?> u : batch) {
                if (!transactionUsable) {
                    u.failure = new RegistryException("registry write not attempted: an earlier write in its batch broke the transaction", null);
                    continue;
                }
                execute("SAVEPOINT unit");
                try {
                    run(u);
                    execute("RELEASE unit");
                } catch (Throwable t) {
                    u.failure = t;
                    try {
                        execute("ROLLBACK TO unit");
                        execute("RELEASE unit");
                    } catch (SQLException broken) {
                        // SQLite itself rolled back the whole transaction (e.g. disk full): nothing of the batch stands
                        t.addSuppressed(broken);
                        transactionUsable = false;
                    }
                }
            }
            if (transactionUsable) {
                connection.commit();
                commits.incrementAndGet();
                afterCommit.run();
            } else {
                rollbackQuietly();
                for (Unit<?> u : batch) {
                    if (u.failure == null) u.failure = new RegistryException("registry write rolled back: another write in its batch broke the transaction", null);
                }
            }
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            failAll(batch, e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // the next batch sets it again and reports a broken connection then
            }
        }
        for (Unit<?> u : batch) u.complete();
    }

    /** Prepared, not {@code createStatement().execute}: the connection keeps prepared statements, so these compile once. */
    private void execute(String sql) throws SQLException {
        try (var st = connection.prepareStatement(sql)) {
            st.execute();
        }
    }

    private <T> void run(Unit<T> u) throws SQLException {
        u.result = u.work.run(connection);
    }

    private void failAll(List<Unit<?>> batch, Exception cause) {
        for (Unit<?> u : batch) {
            if (u.failure == null) u.failure = cause instanceof SQLException s
                    ? new RegistryException("registry commit failed: " + s.getMessage(), s) : cause;
        }
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // nothing committed either way
        }
    }

    /** Batches committed so far (how well the fsyncs are shared). */
    long commits() {
        return commits.get();
    }

    /** Units waiting for the writer thread. */
    int queued() {
        return queue.size();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt(); // wakes an idle writer; a batch in progress still finishes (SQLite calls ignore interrupts)
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
