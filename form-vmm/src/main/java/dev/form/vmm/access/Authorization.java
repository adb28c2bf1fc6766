package dev.form.vmm.access;

import dev.form.core.api.ErrorCode;
import dev.form.core.auth.Operation;
import dev.form.core.auth.Permission;
import dev.form.core.auth.PermissionDeniedException;
import dev.form.core.model.AccessLevel;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.registry.GrantStore;
import dev.form.vmm.registry.InstanceRecord;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Who may do what: the creator or adopter of an instance owns it, others hold what the owner granted.
 * Only admins create or adopt. No address and no origin (localhost included) is exempt. A signed caller
 * without the level gets 403 {@code forbidden}, never 401.
 */
public final class Authorization {
    private final Admins admins;

    public Authorization(Admins admins) {
        this.admins = admins;
    }

    public Admins admins() {
        return admins;
    }

    /** The caller's level on the instance, or null when it has none. */
    public AccessLevel levelOf(Connection c, InstanceRecord instance, String address) throws SQLException {
        if (address == null) return null;
        if (instance.owner().equalsIgnoreCase(address)) return AccessLevel.OWNER;
        return GrantStore.levelOf(c, instance.id(), address).orElse(null);
    }

    public AccessLevel require(Connection c, InstanceRecord instance, String address, Operation operation) throws SQLException {
        AccessLevel held = levelOf(c, instance, address);
        try {
            Permission.require(held, operation, address, instance.name());
        } catch (PermissionDeniedException e) {
            throw new ApiProblem(ErrorCode.FORBIDDEN, "forbidden: " + e.getMessage(), null,
                    "the signature is valid; ask the instance's owner for a grant", null, null);
        }
        return held;
    }

    public void requireAdmin(String address, String what) {
        if (admins.none()) {
            throw new ApiProblem(ErrorCode.FORBIDDEN, "forbidden: this service has no admin addresses, so nobody may " + what, null,
                    "start the service with --admin ADDRESS or list admins in its config file", null, null);
        }
        if (!admins.contains(address)) {
            throw new ApiProblem(ErrorCode.FORBIDDEN, "forbidden: " + address + " is not an admin of this host; only admins may " + what,
                    null, "ask the host's operator to add your address with --admin", null, null);
        }
    }
}
