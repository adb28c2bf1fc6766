package dev.form.bench.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs pairs on all clients at once, one thread each, released together, timing every call on its own.
 *
 * @param add      durations of the add calls that succeeded
 * @param remove   durations of the remove calls that succeeded
 * @param attempted calls made (two per pair)
 * @param failures  calls that failed; the first few messages are in {@code failureSamples}
 * @param wallNanos from the release of all clients to the end of the last one
 */
public record LoadRun(Latencies add, Latencies remove, long attempted, long failures, List<String> failureSamples, long wallNanos, int pairs) {

    public Latencies all() {
        return Latencies.of(add.sortedNanos(), remove.sortedNanos());
    }

    public double pairsPerSecond() {
        return pairs / (wallNanos / 1e9);
    }

    /** The rounds of one phase as one: samples together, wall times and counts summed. */
    static LoadRun merge(List<LoadRun> rounds) {
        List<String> samples = new ArrayList<>();
        long attempted = 0, failures = 0, wall = 0;
        int pairs = 0;
        for (LoadRun r : rounds) {
            attempted += r.attempted;
            failures += r.failures;
            wall += r.wallNanos;
            pairs += r.pairs;
            if (samples.size() < 5) samples.addAll(r.failureSamples);
        }
        return new LoadRun(Latencies.of(rounds.stream().map(r -> r.add.sortedNanos()).toArray(long[][]::new)),
                Latencies.of(rounds.stream().map(r -> r.remove.sortedNanos()).toArray(long[][]::new)),
                attempted, failures, List.copyOf(samples.subList(0, Math.min(5, samples.size()))), wall, pairs);
    }

    /** Client {@code c} runs its pairs {@code from[c] .. from[c]+count[c]-1}, each as soon as the one before ends. */
    static LoadRun run(List<? extends PairClient> clients, int[] from, int[] count) throws InterruptedException {
        return run(clients, from, count, 0);
    }

    /**
     * As {@link #run(List, int[], int[])}, but when {@code periodNanos} is positive each client starts a pair
     * every period (the clients staggered over it), whether or not the previous one has ended: an offered load
     * instead of a closed loop. An add is timed from when it was due, so a late start counts against it.
     */
    static LoadRun run(List<? extends PairClient> clients, int[] from, int[] count, long periodNanos) throws InterruptedException {
        int n = clients.size();
        long[][] adds = new long[n][];
        long[][] removes = new long[n][];
        AtomicLong failures = new AtomicLong();
        List<String> samples = Collections.synchronizedList(new ArrayList<>());
        CyclicBarrier start = new CyclicBarrier(n + 1);
        CountDownLatch done = new CountDownLatch(n);
        int total = 0;
        for (int c = 0; c < n; c++) {
            total += count[c];
            final int client = c;
            Thread t = new Thread(() -> {
                long[] a = new long[count[client]];
                long[] r = new long[count[client]];
                int okA = 0, okR = 0;
                try {
                    start.await();
                    long origin = System.nanoTime() + periodNanos * client / n;
                    PairClient pc = clients.get(client);
                    for (int i = 0; i < count[client]; i++) {
                        int k = from[client] + i;
                        long due = origin + i * periodNanos;
                        for (long wait; periodNanos > 0 && (wait = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
                        long t0 = periodNanos > 0 ? due : System.nanoTime();
                        try {
                            pc.add(k);
                            a[okA++] = System.nanoTime() - t0;
                        } catch (Exception e) {
                            fail(failures, samples, "add #" + k + " of client " + client, e);
                        }
                        long t1 = System.nanoTime();
                        try {
                            pc.remove(k);
                            r[okR++] = System.nanoTime() - t1;
                        } catch (Exception e) {
                            fail(failures, samples, "remove #" + k + " of client " + client, e);
                        }
                    }
                } catch (Exception e) {
                    fail(failures, samples, "client " + client, e);
                } finally {
                    adds[client] = java.util.Arrays.copyOf(a, okA);
                    removes[client] = java.util.Arrays.copyOf(r, okR);
                    done.countDown();
                }
            }, "bench-client-" + c);
            t.setDaemon(true);
            t.start();
        }
        try {
            start.await();
        } catch (java.util.concurrent.BrokenBarrierException e) {
            throw new IllegalStateException("a client could not start", e);
        }
        long t0 = System.nanoTime();
        done.await();
        long wall = System.nanoTime() - t0;
        return new LoadRun(Latencies.of(adds), Latencies.of(removes), 2L * total, failures.get(), List.copyOf(samples), wall, total);
    }

    private static void fail(AtomicLong failures, List<String> samples, String what, Exception e) {
        failures.incrementAndGet();
        if (samples.size() < 5) samples.add(what + ": " + e.getMessage());
    }
}
