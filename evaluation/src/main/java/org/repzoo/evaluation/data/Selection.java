package org.repzoo.evaluation.data;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of a dataset a run evaluates: shard {@code index} of {@code count} (every {@code count}-th image from the
 * {@code index}-th, 0-based, like a distributed sampler's rank, so each shard sees every class), then at most
 * {@code limit} images of it. Unlike torchvision's distributed sampler nothing is padded: the shards together
 * evaluate every image exactly once (docs/PROTOCOLS.md §4.1).
 *
 * @param index shard number, 0 &le; index &lt; count
 * @param count number of shards (1: no sharding)
 * @param limit most images evaluated; 0: all
 */
public record Selection(int index, int count, int limit) {

    private static final Pattern SHARD = Pattern.compile("(\\d+)/(\\d+)");

    public Selection {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard must be i/n with 0 <= i < n, got " + index + "/" + count);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
    }

    public static Selection all() {
        return new Selection(0, 1, 0);
    }

    /** Parses {@code i/n}. */
    public static Selection shard(String text) {
        Matcher m = SHARD.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad shard '" + text + "': expected i/n, e.g. 0/4 (0-based)");
        }
        return new Selection(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), 0);
    }

    public Selection withLimit(int newLimit) {
        return new Selection(index, count, newLimit);
    }

    public <T> List<T> apply(List<T> all) {
        List<T> chosen = new ArrayList<>();
        for (int i = index; i < all.size() && (limit == 0 || chosen.size() < limit); i += count) {
            chosen.add(all.get(i));
        }
        return chosen;
    }

    @Override
    public String toString() {
        return (count > 1 ? "shard " + index + "/" + count : "all") + (limit > 0 ? ", first " + limit : "");
    }
}
