package dev.form.core.auth;

import dev.form.core.model.AccessLevel;

/** The authorization rule: a caller may perform an operation when its level includes the required one. */
public final class Permission {
    private Permission() {
    }

    /** @param held the caller's level on the instance, {@code null} for none */
    public static boolean allows(AccessLevel held, Operation operation) {
        return held != null && held.includes(operation.requiredLevel());
    }

    /**
     * @param held     the caller's level on the instance, {@code null} for none
     * @param address  the caller's address, for the message
     * @param instance the instance id or name, for the message
     * @throws PermissionDeniedException saying what the caller has and what the operation needs
     */
    public static void require(AccessLevel held, Operation operation, String address, String instance) {
        if (allows(held, operation)) return;
        String has = held == null ? "has no access to instance " + instance
                : "has only " + held.wireName() + " access to instance " + instance;
        throw new PermissionDeniedException(operation, held, address + " " + has + "; " + operation.description()
                + " needs " + operation.requiredLevel().wireName()
                + (operation.requiredLevel() == AccessLevel.OWNER ? "" : " or higher"));
    }
}
