package dev.form.vmm.registry;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A connection that keeps its prepared statements: {@code prepareStatement(sql)} hands back the statement
 * prepared for that text before, and its {@code close()} only resets it (closes its result set, clears its
 * parameters) for the next caller.
 *
 * <p>Why: the SQLite driver compiles the SQL on every {@code prepareStatement}, and the stores prepare each
 * statement anew for every call; on the add path compiling was about a tenth of the service's CPU.
 *
 * <p>A connection is used by one thread at a time (the writer's own thread, or a reader taken from the
 * pool), so the cache needs no lock. A statement still in use — a query run again while the caller still
 * reads the first one's rows — is not handed out twice: the second gets a statement of its own, closed
 * for real. At most {@link #MAX_STATEMENTS} are kept (statements with a variable number of parameters
 * have many texts); the least recently used one is closed when another comes in.
 */
final class CachingConnection implements InvocationHandler {
    static final int MAX_STATEMENTS = 128;

    private final Connection target;
    private final Map<String, Cached> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            if (size() <= MAX_STATEMENTS || eldest.getValue().inUse) return false;
            eldest.getValue().closeForReal();
            return true;
        }
    };

    private CachingConnection(Connection target) {
        this.target = target;
    }

    static Connection wrap(Connection target) {
        return (Connection) Proxy.newProxyInstance(CachingConnection.class.getClassLoader(), new Class<?>[]{Connection.class},
                new CachingConnection(target));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("prepareStatement") && args.length == 1) return prepare((String) args[0]);
        if (name.equals("equals") && args.length == 1) return proxy == args[0];
        if (name.equals("hashCode") && args == null) return System.identityHashCode(proxy);
        if (name.equals("close")) closeStatements();
        return forward(method, args);
    }

    private Object forward(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        Cached c = statements.get(sql);
        if (c == null) {
            c = new Cached(target.prepareStatement(sql));
            statements.put(sql, c);
        } else if (c.inUse) {
            return target.prepareStatement(sql); // a nested use of the same text: a statement of its own
        }
        c.inUse = true;
        return c.view;
    }

    private void closeStatements() {
        for (Cached c : statements.values()) c.closeForReal();
        statements.clear();
    }

    /** One kept statement and the view callers get, whose close() hands it back instead of closing it. */
    private static final class Cached implements InvocationHandler {
        final PreparedStatement statement;
        final PreparedStatement view;
        boolean inUse;
        private ResultSet results;

        Cached(PreparedStatement statement) {
            this.statement = statement;
            this.view = (PreparedStatement) Proxy.newProxyInstance(CachingConnection.class.getClassLoader(),
                    new Class<?>[]{PreparedStatement.class}, this);
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close" -> {
                    giveBack();
                    return null;
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "isClosed" -> {
                    return !inUse || statement.isClosed();
                }
                default -> {
                    if (!inUse) throw new SQLException("statement used after close()");
                }
            }
            Object out;
            try {
                out = method.invoke(statement, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (out instanceof ResultSet rs) results = rs;
            return out;
        }

        /** Resets the statement for its next user: its rows released (ending its read), its parameters cleared. */
        private void giveBack() throws SQLException {
            if (!inUse) return;
            inUse = false;
            try {
                if (results != null) results.close();
            } finally {
                results = null;
                statement.clearParameters();
            }
        }

        void closeForReal() {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // closing a statement of a connection that is going away: nothing left to release
            }
        }
    }
}
