package dev.form.bench.queue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * CPU time spent during a phase, by this JVM (the service, the load generator and the in-process Kafka
 * broker) and by the simulator's processes. On a machine shared with other work the wall-clock rate
 * moves with the neighbours' load; CPU per request does much less, so it says where a path costs more.
 */
final class CpuMeter {
    private final Supplier<List<Long>> simulatorPids;

    /** @param simulatorPids the processes serving the VMs, asked again at every reading */
    CpuMeter(Supplier<List<Long>> simulatorPids) {
        this.simulatorPids = simulatorPids;
    }

    /** CPU nanoseconds so far: {this JVM, the simulator processes}. */
    long[] read() {
        long self = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long sim = 0;
        for (long pid : simulatorPids.get()) {
            sim += ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
        }
        return new long[]{self, sim};
    }

    /** "cpu per request: …" for {@code requests} made between {@code before} and {@code after}. */
    static String perRequest(long[] before, long[] after, int requests, double seconds) {
        double self = (after[0] - before[0]) / 1e6 / requests;
        double sim = (after[1] - before[1]) / 1e6 / requests;
        double busy = (after[0] - before[0] + after[1] - before[1]) / 1e9 / seconds;
        return String.format(Locale.ROOT, "cpu per request %.2f ms in the service JVM (with the load generator and broker), %.2f ms in the"
                + " simulator; %.2f of %d cores busy", self, sim, busy, Runtime.getRuntime().availableProcessors());
    }
}
