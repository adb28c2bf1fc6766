package dev.form.bench.service;

import java.util.Arrays;

/** A sorted sample of request durations in nanoseconds, with nearest-rank percentiles. */
public record Latencies(long[] sortedNanos) {

    static Latencies of(long[]... parts) {
        int n = 0;
        for (long[] p : parts) n += p.length;
        long[] all = new long[n];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        Arrays.sort(all);
        return new Latencies(all);
    }

    public int count() {
        return sortedNanos.length;
    }

    /** Nearest rank: the smallest sample with at least q of the samples at or below it. */
    public double percentileMillis(double q) {
        if (sortedNanos.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(q * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }

    public double p50() {
        return percentileMillis(0.50);
    }

    public double p99() {
        return percentileMillis(0.99);
    }

    public double maxMillis() {
        return sortedNanos.length == 0 ? Double.NaN : sortedNanos[sortedNanos.length - 1] / 1e6;
    }
}
