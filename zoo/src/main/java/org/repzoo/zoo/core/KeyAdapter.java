package org.repzoo.zoo.core;

import java.util.Arrays;
import java.util.List;

/**
 * Renames state_dict keys between a {@link KeyScheme} and the graph's names, module by module; keys no rule covers
 * keep their names. A rule may also change a weight's shape between a linear layer's {@code [out, in]} and the
 * convolution that another implementation uses for it ({@code [out, c, kh, kw]} with {@code c*kh*kw = in}): the same
 * C-order data, so the change is a view ({@code org.repzoo.weights.SchemeTensors} applies it to stored tensors).
 */
public final class KeyAdapter {

    /**
     * One module renamed.
     *
     * @param kernelTail null, or the {@code [c, kh, kw]} of the scheme's convolution weight; {@code c = 0} means
     *                   "whatever makes the sizes agree"
     */
    public record Rule(String graphModule, String schemeModule, long[] kernelTail) {
        public static Rule rename(String graphModule, String schemeModule) {
            return new Rule(graphModule, schemeModule, null);
        }

        public static Rule linearAsConv(String graphModule, String schemeModule, long channels, long kh, long kw) {
            return new Rule(graphModule, schemeModule, new long[] {channels, kh, kw});
        }
    }

    /** The adapter that renames nothing. */
    public static final KeyAdapter IDENTITY = new KeyAdapter(List.of());

    private final List<Rule> rules;

    public KeyAdapter(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public boolean isIdentity() {
        return rules.isEmpty();
    }

    /** The graph's name of a key in this scheme. */
    public String toGraphKey(String schemeKey) {
        for (Rule rule : rules) {
            if (schemeKey.startsWith(rule.schemeModule() + ".")) {
                return rule.graphModule() + schemeKey.substring(rule.schemeModule().length());
            }
        }
        return schemeKey;
    }

    /** This scheme's name of a graph key. */
    public String fromGraphKey(String graphKey) {
        for (Rule rule : rules) {
            if (graphKey.startsWith(rule.graphModule() + ".")) {
                return rule.schemeModule() + graphKey.substring(rule.graphModule().length());
            }
        }
        return graphKey;
    }

    /** The rule that renames this key of the scheme ({@code schemeSide}) or of the graph, or null. */
    public Rule ruleFor(String key, boolean schemeSide) {
        for (Rule rule : rules) {
            String module = schemeSide ? rule.schemeModule() : rule.graphModule();
            if (key.startsWith(module + ".")) {
                return rule;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return rules.stream().map(r -> r.graphModule() + "<->" + r.schemeModule()
                + (r.kernelTail() == null ? "" : Arrays.toString(r.kernelTail()))).toList().toString();
    }
}
