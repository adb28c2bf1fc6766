package dev.form.bench.auth;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The verify/raw-recovery throughput ratio, measured by interleaving short alternating rounds of each
 * operation and timing them in this thread's CPU time (and, for reference, wall time). On a shared machine
 * sequential JMH runs of the two see different load; interleaving and CPU time take most of that out.
 * Prints the median ratio with its interquartile range and exits 1 when the CPU-time median is below the
 * 70% target. Complements {@link SignedRequestBenchmark}, which gives absolute rates.
 * <p>
 * Run: {@code java -cp <form-bench classes + dependencies> dev.form.bench.auth.VerifyToRecoveryRatio [rounds]}
 */
public final class VerifyToRecoveryRatio {
    private static final double TARGET = 0.70;
    private static final int OPS_PER_HALF = 100;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private VerifyToRecoveryRatio() {
    }

    private static long sink;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        SignedRequestBenchmark b = new SignedRequestBenchmark();
        b.setUp();
        long warmUntil = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < warmUntil) {
            sink += b.verify().nonce().length() + b.rawRecovery().bitLength();
        }
        double[] cpuRatios = new double[rounds];
        double[] wallRatios = new double[rounds];
        double verifyCpuRate = 0;
        double rawCpuRate = 0;
        for (int round = 0; round < rounds; round++) {
            long[] cpu = new long[2];   // [verify, raw]
            long[] wall = new long[2];
            // Alternate which goes first, so drift within a round favours neither.
            for (int half = 0; half < 2; half++) {
                int kind = (round + half) % 2;
                long c0 = THREADS.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                for (int i = 0; i < OPS_PER_HALF; i++) {
                    sink += kind == 0 ? b.verify().nonce().length() : b.rawRecovery().bitLength();
                }
                wall[kind] += System.nanoTime() - w0;
                cpu[kind] += THREADS.getCurrentThreadCpuTime() - c0;
            }
            cpuRatios[round] = (double) cpu[1] / cpu[0];   // rate ratio = inverse time ratio
            wallRatios[round] = (double) wall[1] / wall[0];
            verifyCpuRate += OPS_PER_HALF * 1e9 / cpu[0];
            rawCpuRate += OPS_PER_HALF * 1e9 / cpu[1];
        }
        Arrays.sort(cpuRatios);
        Arrays.sort(wallRatios);
        System.out.printf("rounds=%d, %d ops of each kind per round, one thread%n", rounds, OPS_PER_HALF);
        System.out.printf("per CPU second: verify %.0f ops/s, raw recovery %.0f ops/s%n", verifyCpuRate / rounds, rawCpuRate / rounds);
        System.out.printf("verify/raw (CPU time):  median %.3f, IQR %.3f-%.3f (target >= %.2f)%n",
                cpuRatios[rounds / 2], cpuRatios[rounds / 4], cpuRatios[rounds * 3 / 4], TARGET);
        System.out.printf("verify/raw (wall time): median %.3f, IQR %.3f-%.3f%n",
                wallRatios[rounds / 2], wallRatios[rounds / 4], wallRatios[rounds * 3 / 4]);
        if (sink == 42) System.out.println();
        if (cpuRatios[rounds / 2] < TARGET) System.exit(1);
    }
}
