package org.repzoo.zoo.core;

import java.util.List;

/** A model name that is not registered; the message lists close matches. */
public final class UnknownModelException extends IllegalArgumentException {

    private final List<String> suggestions;

    public UnknownModelException(String name, List<String> suggestions) {
        super("unknown model '" + name + "'" + (suggestions.isEmpty() ? "; see 'repzoo list'"
                : "; did you mean " + String.join(", ", suggestions) + "?"));
        this.suggestions = List.copyOf(suggestions);
    }

    public List<String> suggestions() {
        return suggestions;
    }
}
