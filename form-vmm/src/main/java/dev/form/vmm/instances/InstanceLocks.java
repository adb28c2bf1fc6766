package dev.form.vmm.instances;

import dev.form.core.api.ErrorCode;
import dev.form.vmm.ApiProblem;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One mutation at a time per VM (the hypervisor serializes hot-plugs anyway, and rapid ones race
 * inside guests); different VMs proceed in parallel. Fair, so requests run in arrival order.
 */
public final class InstanceLocks {
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Duration maxWait;

    public InstanceLocks(Duration maxWait) {
        this.maxWait = maxWait;
    }

    public Held acquire(String instanceId) {
        ReentrantLock lock = locks.computeIfAbsent(instanceId, k -> new ReentrantLock(true));
        try {
            if (!lock.tryLock(maxWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ApiProblem(ErrorCode.CONFLICT, "instance " + instanceId + " is busy with another change for more than "
                        + maxWait.toSeconds() + " s; try again", null, "changes to one instance run one at a time", null, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiProblem(ErrorCode.INTERNAL, "interrupted while waiting for instance " + instanceId);
        }
        return lock::unlock;
    }

    /** For background work: the lock if it is free now, else null (the work is retried later). */
    public Held tryAcquire(String instanceId) {
        ReentrantLock lock = locks.computeIfAbsent(instanceId, k -> new ReentrantLock(true));
        return lock.tryLock() ? lock::unlock : null;
    }

    /** A held lock; closing releases it. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
