package dev.form.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain aligned text table: a header row and left-aligned columns separated by two spaces. */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    public Table row(Object... cells) {
        if (cells.length != header.size())
            throw new IllegalArgumentException("row has " + cells.length + " cells, header has " + header.size());
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : c.toString()).toList());
        return this;
    }

    public int size() {
        return rows.size();
    }

    public void print(PrintWriter out) {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) width[i] = header.get(i).length();
        for (List<String> r : rows)
            for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
        printRow(out, header, width);
        for (List<String> r : rows) printRow(out, r, width);
        out.flush();
    }

    private static void printRow(PrintWriter out, List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(c);
            if (i < cells.size() - 1) sb.append(" ".repeat(width[i] - c.length() + 2));
        }
        out.println(sb);
    }
}
