package dev.form.vmm.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A few read-only connections to the registry file. WAL lets each read its own snapshot while the
 * writer commits, so readers no longer queue behind one connection. A read started after a write
 * returned sees that write: the snapshot begins at the read's first statement.
 */
final class ReaderPool implements AutoCloseable {
    private final List<Connection> all;
    private final BlockingQueue<Connection> idle;
    /** A read nested in another read on the same thread reuses its connection instead of taking a second one. */
    private final ThreadLocal<Connection> held = new ThreadLocal<>();

    ReaderPool(List<Connection> connections) {
        this.all = List.copyOf(connections);
        this.idle = new ArrayBlockingQueue<>(connections.size(), false, connections);
    }

    <T> T read(SqlWork<T> work) {
        Connection mine = held.get();
        if (mine != null) {
            try {
                return work.run(mine);
            } catch (SQLException e) {
                throw new RegistryException("registry read failed: " + e.getMessage(), e);
            }
        }
        Connection c = take();
        held.set(c);
        try {
            c.setAutoCommit(false);
            try {
                return work.run(c);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new RegistryException("registry read failed: " + e.getMessage(), e);
        } finally {
            held.remove();
            idle.add(c);
        }
    }

    private Connection take() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return idle.take();
                } catch (InterruptedException e) {
                    interrupted = true; // reads waited uninterruptibly on the old lock too
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Connection c : all) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
