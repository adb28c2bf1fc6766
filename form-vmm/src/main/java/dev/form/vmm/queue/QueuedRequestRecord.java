package dev.form.vmm.queue;

import java.time.Instant;

/**
 * One request in the queue table.
 *
 * @param lane      the instance id the request changes (its target resolved at acceptance), or the
 *                  reference as given when it named no known instance: requests of one lane run in order
 * @param source    {@code embedded} (POST /v1/queue) or {@code kafka}
 * @param state     queued, running, done or failed
 * @param status    the outcome's HTTP status, once finished
 */
record QueuedRequestRecord(long seq, String requestId, String lane, String instance, String method, String target,
                           byte[] body, String bodySha256, long expires, String signature, String signer, String source,
                           String state, Integer status, String contentType, byte[] outcome,
                           Instant acceptedAt, Instant startedAt, Instant finishedAt, int attempts) {
    static final String QUEUED = "queued";
    static final String RUNNING = "running";
    static final String DONE = "done";
    static final String FAILED = "failed";

    boolean finished() {
        return DONE.equals(state) || FAILED.equals(state);
    }

    boolean sameRequest(String m, String t, String sha) {
        return method.equals(m) && target.equals(t) && bodySha256.equals(sha);
    }
}
