package io.rnnsweep.search;

import io.rnnsweep.space.Domain;
import io.rnnsweep.trial.TrialOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every combination of the listed values, in the space's order with the last option varying fastest.
 */
public final class GridSearch implements Searcher {
    private final List<TrialOption> options;
    private final List<List<String>> values;
    private final int size;

    /**
     * Creates the grid over the given lists.
     *
     * @throws IllegalArgumentException when the grid has more than {@link Integer#MAX_VALUE} points
     */
    public GridSearch(Map<TrialOption, Domain.Choice> space) {
        this.options = List.copyOf(space.keySet());
        this.values = new ArrayList<>();
        long n = 1;
        for (Domain.Choice c : space.values()) {
            values.add(c.values());
            n *= c.values().size();
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the grid has more than " + Integer.MAX_VALUE + " points");
            }
        }
        this.size = (int) n;
    }

    /** Returns how many trials the search makes. */
    public int size() {
        return size;
    }

    @Override
    public Suggestion suggest(int index) {
        return index < size ? Suggestion.trial(trial(index)) : Suggestion.FINISHED;
    }

    /** Returns the chosen values of trial {@code index} (from 0), in the space's option order. */
    public Map<TrialOption, String> trial(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        String[] chosen = new String[options.size()];
        int rest = index;
        for (int i = options.size() - 1; i >= 0; i--) {
            List<String> v = values.get(i);
            chosen[i] = v.get(rest % v.size());
            rest /= v.size();
        }
        Map<TrialOption, String> out = new LinkedHashMap<>();
        for (int i = 0; i < chosen.length; i++) {
            out.put(options.get(i), chosen[i]);
        }
        return Collections.unmodifiableMap(out);
    }
}
