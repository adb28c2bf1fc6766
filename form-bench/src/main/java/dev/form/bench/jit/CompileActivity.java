package dev.form.bench.jit;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How busy the JIT compilers were over a stretch of wall time: in this JVM (the service, the load
 * generator and, for the queue benchmark, the Kafka broker) and in the simulator process.
 *
 * <p>Why the benchmarks watch it: on this 2-core machine a compiler thread still busy during a measured
 * phase takes CPU from the service (0.65 of a core was seen after a short fixed warm-up), so the
 * figures measured the JIT rather than the code. Warm-ups repeat until a stretch is {@link #settled}.
 */
public final class CompileActivity {
    /** A stretch is settled when compiling took at most this share of its wall time, in each process. */
    public static final double SETTLED_SHARE = 0.03;

    /** Tells how long a process's compilers have worked so far, in ms. */
    public interface Clock {
        long compileMillis() throws IOException;
    }

    /** This JVM's compile time. */
    public static final Clock THIS_JVM = () -> ManagementFactory.getCompilationMXBean().getTotalCompilationTime();

    /** Shares of one stretch's wall time spent compiling; {@code simulator} is NaN when there was none to ask. */
    public record Shares(double here, double simulator) {
        public boolean settled() {
            return here <= SETTLED_SHARE && (Double.isNaN(simulator) || simulator <= SETTLED_SHARE);
        }

        @Override
        public String toString() {
            return Double.isNaN(simulator) ? String.format(Locale.ROOT, "compiling %.1f%% of it", 100 * here)
                    : String.format(Locale.ROOT, "compiling %.1f%% of it here, %.1f%% in the simulator", 100 * here, 100 * simulator);
        }
    }

    private final Clock simulator;
    private final long hereBefore, simulatorBefore, startNanos;

    private CompileActivity(Clock simulator) throws IOException {
        this.simulator = simulator;
        this.hereBefore = THIS_JVM.compileMillis();
        this.simulatorBefore = simulator == null ? 0 : simulator.compileMillis();
        this.startNanos = System.nanoTime();
    }

    /** Starts a stretch; {@code simulator} may be null (no simulator process to ask). */
    public static CompileActivity start(Clock simulator) throws IOException {
        return new CompileActivity(simulator);
    }

    /** Ends the stretch. */
    public Shares stop() throws IOException {
        double wallMs = (System.nanoTime() - startNanos) / 1e6;
        double here = (THIS_JVM.compileMillis() - hereBefore) / wallMs;
        double sim = simulator == null ? Double.NaN : (simulator.compileMillis() - simulatorBefore) / wallMs;
        return new Shares(here, sim);
    }
}
