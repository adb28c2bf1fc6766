package dev.form.vmm.registry;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done on the registry's connection inside one transaction. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
