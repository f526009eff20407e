package org.repzoo.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a state_dict fits a graph: keys the graph needs but the file lacks, keys the file has but the graph does not
 * use, keys whose shapes differ, and keys deliberately ignored (BatchNorm's {@code num_batches_tracked} counter).
 */
public record LoadReport(List<String> missing, List<String> unexpected, List<Mismatch> mismatched, List<String> ignored) {

    /** A key present on both sides with different shapes (PyTorch layout). */
    public record Mismatch(String key, long[] expected, long[] found) {
        @Override
        public String toString() {
            return key + ": expected " + Arrays.toString(expected) + ", found " + Arrays.toString(found);
        }
    }

    public LoadReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        mismatched = List.copyOf(mismatched);
        ignored = List.copyOf(ignored);
    }

    public boolean clean() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    /** One line per problem, as the strict import prints them. */
    public List<String> problems() {
        List<String> lines = new ArrayList<>();
        missing.forEach(k -> lines.add("missing key " + k));
        unexpected.forEach(k -> lines.add("unexpected key " + k));
        mismatched.forEach(m -> lines.add("shape mismatch " + m));
        return lines;
    }
}
