package dev.form.queue.kafka;

import java.util.TreeMap;

/**
 * The messages of one request-topic partition that this node has taken and which of them are
 * finished (outcome recorded and published, or dead-lettered, or not ours). Messages finish out of
 * order — each instance's lane runs at its own pace — so the offset that may be committed is the
 * first one not finished yet: everything before it is done, and a crash redelivers it and what follows.
 */
final class PartitionProgress {
    /** Offsets taken and not yet passed by the commit point: offset → finished. */
    private final TreeMap<Long, Boolean> open = new TreeMap<>();
    /** One past the highest offset taken. */
    private long next = -1;
    /** The last offset the group coordinator confirmed, and the last one asked for. */
    private long committed = -1;
    private long requested = -1;

    synchronized void taken(long offset) {
        open.put(offset, false);
        next = Math.max(next, offset + 1);
    }

    synchronized void finished(long offset) {
        open.replace(offset, true);
    }

    /** Messages taken and not finished. */
    synchronized int unfinished() {
        int n = 0;
        for (boolean done : open.values()) if (!done) n++;
        return n;
    }

    /**
     * The offset to commit now (the first unfinished one, or one past the last taken when all are
     * finished), or -1 when it is not beyond what was already committed or asked for.
     */
    synchronized long toCommit() {
        while (!open.isEmpty() && open.firstEntry().getValue()) open.pollFirstEntry();
        long point = open.isEmpty() ? next : open.firstKey();
        if (point < 0 || point <= committed || point == requested) return -1;
        requested = point;
        return point;
    }

    /** The offset that would be committed, whether or not it already was (for a final synchronous commit). */
    synchronized long commitPoint() {
        while (!open.isEmpty() && open.firstEntry().getValue()) open.pollFirstEntry();
        return open.isEmpty() ? next : open.firstKey();
    }

    synchronized void commitSucceeded(long offset) {
        committed = Math.max(committed, offset);
    }

    /** The commit did not happen: the next {@link #toCommit} asks again. */
    synchronized void commitFailed(long offset) {
        if (requested == offset) requested = committed;
    }
}
