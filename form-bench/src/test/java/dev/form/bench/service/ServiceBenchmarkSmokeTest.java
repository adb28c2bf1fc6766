package dev.form.bench.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-to-end harness with tiny parameters, so that it keeps working as the service changes: every
 * request of both phases succeeds, the counts add up, and the figures are sane. No timing is asserted.
 */
class ServiceBenchmarkSmokeTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void tinyRunCompletesEveryRequestAndReportsSaneFigures() throws Exception {
        BenchSettings settings = new BenchSettings(2, 3, 10, 1, 2, 2, 40, 4, Duration.ZERO, tmp, null, java.util.List.of());
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchReport report = ServiceBenchmark.run(settings, new PrintStream(progress, true, StandardCharsets.UTF_8));

        WarmUp warmUp = report.warmUp();
        assertThat(warmUp.rounds()).isBetween(1, 2);
        assertThat(warmUp.pairsPerClient()).isEqualTo(warmUp.rounds());
        // the simulator answers how long its compilers worked: a share of the round that can be read
        assertThat(warmUp.last().here()).isNotNaN().isNotNegative();
        assertThat(warmUp.last().simulator()).isNotNaN().isNotNegative();
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("warm-up round 1: 1 pairs per client, ", "compiling");

        LoadRun service = report.service();
        assertThat(service.failures()).as("failed service calls: %s", service.failureSamples()).isZero();
        assertThat(service.attempted()).isEqualTo(20);
        assertThat(service.pairs()).isEqualTo(10);
        assertThat(service.add().count()).isEqualTo(10);
        assertThat(service.remove().count()).isEqualTo(10);
        LoadRun driver = report.driver();
        assertThat(driver.failures()).as("failed driver calls: %s", driver.failureSamples()).isZero();
        assertThat(driver.add().count()).isEqualTo(10);
        assertThat(driver.remove().count()).isEqualTo(10);

        for (LoadRun run : new LoadRun[]{service, driver}) {
            assertThat(run.pairsPerSecond()).isPositive().isFinite();
            assertThat(run.all().p50()).isPositive();
            assertThat(run.all().p99()).isGreaterThanOrEqualTo(run.all().p50());
            assertThat(run.all().maxMillis()).isLessThan(60_000);
        }
        // 4 paced pairs over 2 clients at 40 pairs/s: each client starts one every 50 ms, so its second starts
        // no earlier than 50 ms after the first, and the overhead is judged on this phase
        LoadRun pacedService = report.pacedService(), pacedDriver = report.pacedDriver();
        for (LoadRun run : new LoadRun[]{pacedService, pacedDriver}) {
            assertThat(run.failures()).as("failed paced calls: %s", run.failureSamples()).isZero();
            assertThat(run.pairs()).isEqualTo(4);
            assertThat(run.add().count()).isEqualTo(4);
            assertThat(run.wallNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        }
        assertThat(settings.pacedPeriodNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(report.overheadP99Ms()).isEqualTo(pacedService.all().p99() - pacedDriver.all().p99());

        assertThat(report.fsync().count()).isEqualTo(200);
        assertThat(report.fsync().p50()).isPositive();

        BenchReport.RssFigure rss = report.rss();
        assertThat(rss).isNotNull();
        assertThat(rss.instances()).isEqualTo(2);
        assertThat(rss.emptyBytes()).isBetween(16L << 20, 8L << 30);
        assertThat(rss.bytes()).isBetween(16L << 20, 8L << 30);

        assertThat(report.table()).contains("throughput, add+remove pairs/s", "service overhead p99", "service RSS after GC", "28 / 28", "offered 40 pairs/s", "warm-up");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("before the clock starts");
    }

    @Test
    void settingsRefuseAnInstanceSharedByTwoClients() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BenchSettings.parse(new String[]{"--clients", "4", "--instances", "2"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--instances must be at least --clients");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BenchSettings.parse(new String[]{"--clinets", "4"}))
                .hasMessageContaining("unknown option --clinets");
        BenchSettings s = BenchSettings.parse(new String[]{"--clients", "3", "--pairs", "10"});
        assertThat(s.pairsOf(0) + s.pairsOf(1) + s.pairsOf(2)).isEqualTo(10);
    }

    @Test
    void percentilesAreNearestRank() {
        long[] ms = new long[100];
        for (int i = 0; i < 100; i++) ms[i] = (100 - i) * 1_000_000L;
        Latencies l = Latencies.of(ms);
        assertThat(l.p50()).isEqualTo(50.0);
        assertThat(l.p99()).isEqualTo(99.0);
        assertThat(l.maxMillis()).isEqualTo(100.0);
    }
}
