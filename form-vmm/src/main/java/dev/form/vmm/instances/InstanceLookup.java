package dev.form.vmm.instances;

import dev.form.vmm.ApiProblem;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;

import java.sql.Connection;
import java.sql.SQLException;

/** Finds an instance by id or name, or answers 404 naming what was asked for. */
public final class InstanceLookup {
    private InstanceLookup() {
    }

    public static InstanceRecord resolve(Connection c, String ref) throws SQLException {
        return InstanceStore.byRef(c, ref).orElseThrow(() -> ApiProblem.notFound("no instance with id or name '" + ref + "'"));
    }
}
