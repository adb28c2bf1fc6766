package dev.form.vmm.pipeline;

/** How a request reached the service. Both go through the same checks; only the allowed expiry differs. */
public enum RequestOrigin {
    /** An HTTP call; its expiry may lie at most 5 minutes ahead (configurable). */
    DIRECT,
    /** Taken from a queue; its expiry may lie at most 24 hours ahead (configurable), since it may wait there. */
    QUEUE
}
