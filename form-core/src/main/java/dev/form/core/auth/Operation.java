package dev.form.core.auth;

import dev.form.core.model.AccessLevel;

/**
 * What a signed caller asks to do to an existing instance, and the access level it needs there
 * (the owner holds {@link AccessLevel#OWNER}). No address and no origin (not even localhost) is exempt.
 */
public enum Operation {
    /** Instance details, resources, console, audit log, grants list. */
    VIEW(AccessLevel.READ_ONLY, "viewing the instance"),
    START(AccessLevel.OPERATOR, "starting the instance"),
    STOP(AccessLevel.OPERATOR, "stopping the instance"),
    ADD_RESOURCE(AccessLevel.MANAGER, "adding a disk, filesystem or device"),
    REMOVE_RESOURCE(AccessLevel.MANAGER, "removing a disk, filesystem or device"),
    RESIZE(AccessLevel.MANAGER, "resizing the instance"),
    DELETE(AccessLevel.OWNER, "deleting the instance"),
    GRANT(AccessLevel.OWNER, "granting or revoking access");

    private final AccessLevel required;
    private final String description;

    Operation(AccessLevel required, String description) {
        this.required = required;
        this.description = description;
    }

    /** The weakest level that allows this operation. */
    public AccessLevel requiredLevel() {
        return required;
    }

    /** Lower-case gerund phrase for messages, e.g. "adding a disk, filesystem or device". */
    public String description() {
        return description;
    }
}
