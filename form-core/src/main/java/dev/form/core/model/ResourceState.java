package dev.form.core.model;

import java.util.Locale;

/** The lifecycle of one hot-added resource in the registry. */
public enum ResourceState {
    /** Intent recorded, hypervisor not yet confirmed: reconciliation settles it. */
    ATTACHING,
    ATTACHED,
    /** Removal asked of the hypervisor; the guest has not released it yet. */
    PENDING_REMOVAL,
    REMOVED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
