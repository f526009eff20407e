package org.repzoo.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain-text table with aligned columns; numeric-looking columns are right-aligned. */
final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final boolean[] rightAligned;

    Table(String... header) {
        this.header = List.of(header);
        this.rightAligned = new boolean[header.length];
    }

    Table rightAlign(int... columns) {
        for (int c : columns) {
            rightAligned[c] = true;
        }
        return this;
    }

    Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + header.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : c.toString()).toList());
        return this;
    }

    /** A separator line before the next row (e.g. before totals). */
    Table rule() {
        rows.add(null);
        return this;
    }

    void print(PrintWriter out) {
        int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = header.get(c).length();
        }
        for (List<String> row : rows) {
            if (row != null) {
                for (int c = 0; c < widths.length; c++) {
                    widths[c] = Math.max(widths[c], row.get(c).length());
                }
            }
        }
        printRow(out, header, widths);
        String rule = rule(widths);
        out.println(rule);
        for (List<String> row : rows) {
            if (row == null) {
                out.println(rule);
            } else {
                printRow(out, row, widths);
            }
        }
        out.flush();
    }

    private void printRow(PrintWriter out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < widths.length; c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(widths[c] - cell.length());
            line.append(rightAligned[c] ? pad + cell : cell + pad);
            if (c < widths.length - 1) {
                line.append("  ");
            }
        }
        out.println(line.toString().stripTrailing());
    }

    private static String rule(int[] widths) {
        return "-".repeat(Arrays.stream(widths).sum() + 2 * (widths.length - 1));
    }
}
