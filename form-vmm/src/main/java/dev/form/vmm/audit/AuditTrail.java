package dev.form.vmm.audit;

import dev.form.vmm.registry.AuditStore;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Writes audit entries inside the caller's transaction, so an effect and its audit line are committed
 * together. Outcomes: ok, failed, pending, reconciled.
 */
public final class AuditTrail {
    private AuditTrail() {
    }

    public static void ok(Connection c, String caller, String instanceId, String operation, String resourceId, String requestId,
                          int status, String detail) throws SQLException {
        AuditStore.append(c, caller, instanceId, operation, resourceId, requestId, "ok", status, detail);
    }

    public static void failed(Connection c, String caller, String instanceId, String operation, String resourceId, String requestId,
                              int status, String detail) throws SQLException {
        AuditStore.append(c, caller, instanceId, operation, resourceId, requestId, "failed", status, detail);
    }

    public static void pending(Connection c, String caller, String instanceId, String operation, String resourceId, String requestId,
                               String detail) throws SQLException {
        AuditStore.append(c, caller, instanceId, operation, resourceId, requestId, "pending", 200, detail);
    }

    /** Something the service settled by itself (reconciliation, a guest powering off). */
    public static void service(Connection c, String instanceId, String operation, String resourceId, String requestId,
                               String detail) throws SQLException {
        AuditStore.append(c, "service", instanceId, operation, resourceId, requestId, "reconciled", null, detail);
    }
}
