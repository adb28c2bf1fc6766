package dev.form.vmm.registry;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One step of the registry's schema. Applied once, in order, inside its own transaction, and
 * remembered by {@link #id()} in the table {@code schema_migrations}. Ids must never change once
 * released: the service's own start with {@code vmm-}, others (the embedded queue) use their own
 * prefix, e.g. {@code queue-001-requests}.
 */
public interface Migration {
    String id();

    void apply(Connection connection) throws SQLException;

    /** A migration made of plain SQL statements. */
    static Migration of(String id, String... statements) {
        return new Migration() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public void apply(Connection connection) throws SQLException {
                try (var st = connection.createStatement()) {
                    for (String sql : statements) st.executeUpdate(sql);
                }
            }
        };
    }
}
