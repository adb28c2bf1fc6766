package dev.form.bench.service;

import dev.form.bench.jit.CompileActivity;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Unmeasured rounds before the measured ones, each the driver's pairs then the service's, repeated
 * until the JIT compilers of this JVM (the service and the clients) and of the simulator process have
 * settled ({@link CompileActivity}), or {@code --warmup-rounds} ran out.
 *
 * @param rounds         warm-up rounds run
 * @param pairsPerClient pairs each client ran in all of them, so the measured pairs start after these
 * @param last           compile shares of the last round; null when no round ran
 */
record WarmUp(int rounds, int pairsPerClient, CompileActivity.Shares last) {

    /** Signs a round's pairs for the service clients, before its clock starts. */
    interface Signer {
        void sign(int[] from, int[] count);
    }

    static WarmUp run(BenchSettings s, List<DriverPairClient> driver, List<ServicePairClient> service, Signer signer,
                      SimulatorProcess simulator, PrintStream progress) throws InterruptedException, IOException {
        int n = service.size(), per = s.warmupPairs();
        CompileActivity.Shares last = null;
        int round = 0;
        while (per > 0 && round < s.warmupRounds() && (last == null || !last.settled())) {
            int[] from = new int[n], count = new int[n];
            for (int c = 0; c < n; c++) {
                from[c] = round * per;
                count[c] = per;
            }
            signer.sign(from, count);
            round++;
            CompileActivity jit = CompileActivity.start(simulator::compileMillis);
            LoadRun d = check("driver warm-up", LoadRun.run(driver, from, count));
            LoadRun v = check("service warm-up", LoadRun.run(service, from, count));
            last = jit.stop();
            progress.printf(Locale.ROOT, "warm-up round %d: %d pairs per client, %.0f pairs/s (driver %.0f); %s%s%n", round, per,
                    v.pairsPerSecond(), d.pairsPerSecond(), last, last.settled() ? ": settled" : "");
        }
        return new WarmUp(round, round * per, last);
    }

    boolean settled() {
        return last != null && last.settled();
    }

    static LoadRun check(String phase, LoadRun run) {
        if (run.failures() > 0) {
            throw new IllegalStateException(phase + ": " + run.failures() + " of " + run.attempted() + " calls failed, e.g. " + run.failureSamples());
        }
        return run;
    }

    /** For the report: how the warm-up ended. */
    String summary() {
        if (rounds == 0) return "none";
        return String.format(Locale.ROOT, "%d rounds, %d pairs per client; last round: %s", rounds, pairsPerClient, last);
    }
}
