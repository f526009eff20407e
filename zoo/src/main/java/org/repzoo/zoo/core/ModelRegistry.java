package org.repzoo.zoo.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The explicit map from lower-case model name to {@link ModelEntry}. No classpath scanning: what is registered is
 * what the constructor was given. Duplicate or non-lower-case names are refused; an unknown name gets close matches.
 */
public final class ModelRegistry {

    private final Map<String, ModelEntry> entries = new LinkedHashMap<>();

    public ModelRegistry(Collection<ModelEntry> models) {
        for (ModelEntry entry : models) {
            if (!entry.name().equals(entry.name().toLowerCase(Locale.ROOT)) || entry.name().isBlank()) {
                throw new IllegalArgumentException("model names are lower-case: '" + entry.name() + "'");
            }
            if (entries.putIfAbsent(entry.name(), entry) != null) {
                throw new IllegalArgumentException("model '" + entry.name() + "' registered twice");
            }
        }
    }

    public ModelEntry get(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        ModelEntry entry = entries.get(key);
        if (entry == null) {
            throw new UnknownModelException(name, closeMatches(key));
        }
        return entry;
    }

    public boolean contains(String name) {
        return name != null && entries.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public List<ModelEntry> entries() {
        return List.copyOf(entries.values());
    }

    public Stream<ModelEntry> stream() {
        return entries.values().stream();
    }

    /** Names within a small edit distance, or containing the query, best first (at most five). */
    List<String> closeMatches(String query) {
        record Match(String name, int distance) {
        }
        List<Match> matches = new ArrayList<>();
        for (String candidate : entries.keySet()) {
            int distance = editDistance(query, candidate);
            if (distance <= Math.max(2, query.length() / 3) || (!query.isEmpty() && candidate.contains(query))) {
                matches.add(new Match(candidate, distance));
            }
        }
        return matches.stream()
                .sorted(Comparator.comparingInt(Match::distance).thenComparing(Match::name))
                .limit(5).map(Match::name).toList();
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
