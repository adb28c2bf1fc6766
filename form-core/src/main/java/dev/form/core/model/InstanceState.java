package dev.form.core.model;

import java.util.Locale;

/** The recorded state of an instance. */
public enum InstanceState {
    /** Being launched; no hypervisor process answers yet. */
    CREATING,
    RUNNING,
    PAUSED,
    /** No hypervisor process: stopped by the owner, powered off by the guest, or crashed. */
    STOPPED,
    /** Launch or re-attach failed; details in the audit log. */
    FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
