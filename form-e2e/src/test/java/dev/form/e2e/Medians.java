package dev.form.e2e;

import java.util.ArrayList;
import java.util.List;

/** Latency samples of one way of hot-adding, in milliseconds. */
final class Medians {
    final String label;
    final List<Double> samples = new ArrayList<>();

    Medians(String label) {
        this.label = label;
    }

    void add(long nanos) {
        samples.add(nanos / 1e6);
    }

    double median() {
        List<Double> s = samples.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    double min() {
        return samples.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double max() {
        return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    String row() {
        return String.format("%-58s %8.1f %8.1f %8.1f %4d", label, median(), min(), max(), samples.size());
    }
}
