package dev.form.vmm.queue;

import dev.form.vmm.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Works through the queue table: the oldest open request of each lane (instance) runs, lanes in
 * parallel on a fixed pool, one request at a time per lane, so one instance's requests keep their order.
 *
 * <p>Each round takes the head of every idle lane, marks them all {@code running} in one commit, and
 * hands them to the pool; a worker then stays with its lane, recording each outcome in the same commit
 * that marks the lane's next request running, until the lane is empty. Requests left
 * {@code running} by a crash are heads of their lanes at start-up and are dispatched again
 * ({@link QueuedRequestExecution} explains why that is safe).
 */
final class EmbeddedQueueProcessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedQueueProcessor.class);

    private final Registry registry;
    private final QueuedRequestExecution execution;
    private final Clock clock;
    private final int workers;
    private final ExecutorService pool;
    private final Set<String> busyLanes = ConcurrentHashMap.newKeySet();
    private final Semaphore wake = new Semaphore(0);
    private final Thread scheduler;
    private volatile boolean running = true;

    EmbeddedQueueProcessor(Registry registry, QueuedRequestExecution execution, Clock clock, int workers) {
        this.registry = registry;
        this.execution = execution;
        this.clock = clock;
        this.workers = workers;
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "form-queue-worker");
            t.setDaemon(true);
            return t;
        });
        this.scheduler = new Thread(this::schedule, "form-queue-scheduler");
        this.scheduler.setDaemon(true);
    }

    void start() {
        scheduler.start();
    }

    /** Something was queued or finished: look for work now rather than at the next periodic check. */
    void wake() {
        wake.release();
    }

    /**
     * A request was queued for {@code lane}. A round (which reads the head of every open lane) is needed
     * only when no worker is on that lane: a busy lane's worker takes the lane's next request in the
     * commit that records its current one, and wakes the scheduler when it leaves the lane, so a request
     * queued just as the lane empties is still found.
     */
    void accepted(String lane) {
        if (!busyLanes.contains(lane)) wake();
    }

    private void schedule() {
        while (running) {
            try {
                wake.tryAcquire(1, TimeUnit.SECONDS);
                wake.drainPermits();
                if (!running) return;
                round();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("the queue scheduler failed a round; retrying in a second", e);
                sleepQuietly(1000);
            }
        }
    }

    private void round() {
        int free = workers - busyLanes.size();
        if (free <= 0) return;
        List<QueuedRequestRecord> heads = registry.read(c -> QueuedRequestStore.headsOfOpenLanes(c, workers * 4));
        List<QueuedRequestRecord> picked = new ArrayList<>();
        for (QueuedRequestRecord r : heads) {
            if (picked.size() >= free) break;
            if (busyLanes.contains(r.lane())) continue;
            picked.add(r);
        }
        if (picked.isEmpty()) return;
        List<Long> open = registry.write(c -> QueuedRequestStore.markRunning(c, picked.stream().map(QueuedRequestRecord::seq).toList(), clock.instant()));
        for (QueuedRequestRecord r : picked) {
            if (!open.contains(r.seq())) {
                wake(); // finished while this round looked: its lane's next request is due
                continue;
            }
            busyLanes.add(r.lane());
            pool.execute(() -> runOne(r));
        }
    }

    /** Works through one lane: each outcome is recorded together with marking the lane's next request running. */
    private void runOne(QueuedRequestRecord first) {
        QueuedRequestRecord r = first;
        try {
            while (r != null && running) {
                QueuedRequestExecution.Step step = execution.runThenStartNext(r, true);
                LOG.debug("queued request {} finished: {}", r.requestId(), step.status());
                r = step.next();
            }
        } catch (RuntimeException e) {
            // Not recorded (the registry failed): the request stays running and is tried again.
            LOG.error("queued request {} could not be processed; it will be retried", r.requestId(), e);
            sleepQuietly(500);
        } finally {
            busyLanes.remove(first.lane());
            wake(); // a request queued for this lane while it was finishing is picked up by the next round
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        scheduler.interrupt();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
