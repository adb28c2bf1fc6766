package dev.form.vmm.queue;

import dev.form.vmm.pipeline.FaultPoints;

/**
 * The queue's crash-test hooks, armed like the pipeline's through {@link FaultPoints#PROPERTY}:
 * reaching an armed point halts the JVM as kill -9 would.
 */
public final class QueueFaultPoints {
    private QueueFaultPoints() {
    }

    /** The request is stored (202 about to be answered). */
    public static final String AFTER_ACCEPT = "queue-after-accept";
    /** The request is marked running, the dispatcher not yet called. */
    public static final String BEFORE_DISPATCH = "queue-before-dispatch";
    /** The dispatcher answered (its effect and nonce are committed), the outcome not yet in the queue table. */
    public static final String BEFORE_OUTCOME = "queue-before-outcome";

    static void reach(String point) {
        FaultPoints.reach(point);
    }
}
