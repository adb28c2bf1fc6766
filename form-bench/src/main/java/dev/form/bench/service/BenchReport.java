package dev.form.bench.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one run and the table that compares them with their same-run baselines and targets.
 *
 * <p>Overhead is computed as a difference of percentiles: service p50 minus direct-driver p50, and
 * service p99 minus direct-driver p99, over all requests (adds and removes together). The driver
 * makes the same hypervisor calls against the same simulator process, so its time is the simulator's
 * (plus the driver's) share of each request; the rest is the service's. A difference of percentiles is
 * not the percentile of per-request differences (the two runs do not pair request by request), but it
 * is what can be measured without instrumenting the service.
 *
 * @param fsync how long a 4 KiB write took to become durable in the data directory, measured right
 *              after the load: each acknowledged add or remove waits for two registry commits (intent,
 *              result), each one fsync with synchronous=FULL, unless commits are grouped
 * <p>The overhead target is judged at the paced phase's offered load, when it ran: at saturation (the
 * closed loop) each request also waits for the N-1 others in flight, so the difference there is the
 * service's lower throughput seen as queueing, and is shown for information.
 *
 * @param warmUp       how the unmeasured warm-up ended
 * @param pacedDriver  the driver at the paced phase's offered load; null when that phase was skipped
 * @param pacedService the service at the same offered load; null when that phase was skipped
 * @param rss   null when the memory figure was skipped
 */
public record BenchReport(BenchSettings settings, WarmUp warmUp, LoadRun driver, LoadRun service, LoadRun pacedDriver, LoadRun pacedService,
                          Latencies fsync, RssFigure rss) {
    public static final double OVERHEAD_P99_TARGET_MS = 5.0;
    public static final double PAIRS_PER_SECOND_TARGET = 500.0;
    public static final long RSS_TARGET_BYTES = 256L << 20;
    public static final int RSS_TARGET_INSTANCES = 1000;

    /** Resident memory of the service process with no instance and with {@code instances} registered. */
    public record RssFigure(int instances, long emptyBytes, long bytes) {
    }

    /** Service p50 minus driver p50 at the paced load, or at saturation when there was no paced phase. */
    public double overheadP50Ms() {
        return judgedService().all().p50() - judgedDriver().all().p50();
    }

    /** Service p99 minus driver p99 at the paced load, or at saturation when there was no paced phase. */
    public double overheadP99Ms() {
        return judgedService().all().p99() - judgedDriver().all().p99();
    }

    private boolean paced() {
        return pacedService != null;
    }

    /** The service's run the overhead is judged on: the paced one when it ran. */
    private LoadRun judgedService() {
        return paced() ? pacedService : service;
    }

    private LoadRun judgedDriver() {
        return paced() ? pacedDriver : driver;
    }

    /** Calls made to the service in the measured phases, saturated and paced. */
    public long serviceRequests() {
        return service.attempted() + (paced() ? pacedService.attempted() : 0);
    }

    public long serviceFailures() {
        return service.failures() + (paced() ? pacedService.failures() : 0);
    }

    public long driverRequests() {
        return driver.attempted() + (paced() ? pacedDriver.attempted() : 0);
    }

    public long driverFailures() {
        return driver.failures() + (paced() ? pacedDriver.failures() : 0);
    }

    public boolean overheadMet() {
        return overheadP99Ms() <= OVERHEAD_P99_TARGET_MS;
    }

    public boolean throughputMet() {
        return service.pairsPerSecond() >= PAIRS_PER_SECOND_TARGET;
    }

    public boolean rssMet() {
        return rss != null && rss.bytes() <= RSS_TARGET_BYTES;
    }

    public String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"figure", "value", "baseline (same run)", "target", "met"});
        rows.add(new String[]{"throughput, add+remove pairs/s (" + settings.clients() + " clients, " + settings.instances() + " instances)",
                f1(service.pairsPerSecond()), f1(driver.pairsPerSecond()) + " (direct driver)", ">= 500", met(throughputMet())});
        String at = paced() ? ", offered " + settings.pacedRate() + " pairs/s" : ", saturated";
        rows.add(new String[]{"service overhead p50, ms per request" + at, f3(overheadP50Ms()),
                f3(judgedDriver().all().p50()) + " (driver p50)", "-", "-"});
        rows.add(new String[]{"service overhead p99, ms per request" + at, f3(overheadP99Ms()),
                f3(judgedDriver().all().p99()) + " (driver p99)", "<= 5", settings.clients() == 32 ? met(overheadMet()) : met(overheadMet()) + " (at " + settings.clients() + " clients)"});
        if (paced()) latencyRows(rows, "offered " + settings.pacedRate() + " pairs/s", pacedService, pacedDriver);
        latencyRows(rows, "saturated", service, driver);
        if (paced()) {
            rows.add(new String[]{"saturated: overhead p50 / p99, ms", f3(service.all().p50() - driver.all().p50()) + " / "
                    + f3(service.all().p99() - driver.all().p99()), "-", "(queueing: see the javadoc)", "-"});
        }
        rows.add(new String[]{"fsync of 4 KiB in the data dir p50 / p99, ms", f3(fsync.p50()) + " / " + f3(fsync.p99()),
                "-", "-", "-"});
        rows.add(new String[]{"requests ok / sent", (serviceRequests() - serviceFailures()) + " / " + serviceRequests(),
                (driverRequests() - driverFailures()) + " / " + driverRequests() + " (driver)", "all", met(serviceFailures() == 0)});
        if (rss != null) {
            rows.add(new String[]{"service RSS after GC, MB, " + rss.instances() + " instances", f1(rss.bytes() / 1048576.0),
                    f1(rss.emptyBytes() / 1048576.0) + " (0 instances)", "<= 256 (1,000 instances)",
                    rss.instances() >= RSS_TARGET_INSTANCES ? met(rssMet()) : met(rssMet()) + " (only " + rss.instances() + ")"});
        } else {
            rows.add(new String[]{"service RSS", "skipped", "-", "<= 256 MB", "-"});
        }
        rows.add(new String[]{"warm-up", warmUp.summary(), "-", "JIT settled", warmUp.rounds() == 0 ? "-" : met(warmUp.settled())});
        int[] width = new int[5];
        for (String[] r : rows) for (int i = 0; i < 5; i++) width[i] = Math.max(width[i], r[i].length());
        StringBuilder out = new StringBuilder();
        for (int j = 0; j < rows.size(); j++) {
            String[] r = rows.get(j);
            for (int i = 0; i < 5; i++) {
                out.append(i == 0 ? "" : " | ").append(r[i]).append(" ".repeat(width[i] - r[i].length()));
            }
            out.append('\n');
            if (j == 0) {
                for (int i = 0; i < 5; i++) out.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
                out.append('\n');
            }
        }
        for (LoadRun r : paced() ? List.of(service, pacedService) : List.of(service)) {
            if (!r.failureSamples().isEmpty()) out.append("failures (first few): ").append(r.failureSamples()).append('\n');
        }
        for (LoadRun r : paced() ? List.of(driver, pacedDriver) : List.of(driver)) {
            if (!r.failureSamples().isEmpty()) out.append("driver failures (first few): ").append(r.failureSamples()).append('\n');
        }
        return out.toString();
    }

    private static void latencyRows(List<String[]> rows, String phase, LoadRun svc, LoadRun drv) {
        rows.add(new String[]{phase + ": request p50 / p99, ms", f3(svc.all().p50()) + " / " + f3(svc.all().p99()),
                f3(drv.all().p50()) + " / " + f3(drv.all().p99()) + " (driver)", "-", "-"});
        rows.add(new String[]{"  add disk p50 / p99, ms", f3(svc.add().p50()) + " / " + f3(svc.add().p99()),
                f3(drv.add().p50()) + " / " + f3(drv.add().p99()) + " (driver)", "-", "-"});
        rows.add(new String[]{"  remove (wait) p50 / p99, ms", f3(svc.remove().p50()) + " / " + f3(svc.remove().p99()),
                f3(drv.remove().p50()) + " / " + f3(drv.remove().p99()) + " (driver)", "-", "-"});
    }

    private static String met(boolean ok) {
        return ok ? "yes" : "NO";
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
