package io.rnnsweep.search;

import io.rnnsweep.space.Domain;
import io.rnnsweep.trial.TrialOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A fixed number of independent draws from the domains; the same seed gives the same trials. */
public final class RandomSearch implements Searcher {
    private final List<Map<TrialOption, String>> trials;

    /**
     * Draws {@code count} trials from the space with the given seed.
     *
     * @throws IllegalArgumentException when {@code count} is not positive
     */
    public RandomSearch(Map<TrialOption, Domain> space, int count, long seed) {
        if (count < 1) {
            throw new IllegalArgumentException("a random search needs at least one trial, got " + count);
        }
        SplittableRandom root = new SplittableRandom(seed);
        List<Map<TrialOption, String>> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SplittableRandom r = root.split();
            Map<TrialOption, String> t = new LinkedHashMap<>();
            space.forEach((option, domain) -> t.put(option, domain.sample(r)));
            out.add(Collections.unmodifiableMap(t));
        }
        this.trials = List.copyOf(out);
    }

    /** Returns how many trials the search makes. */
    public int size() {
        return trials.size();
    }

    @Override
    public Suggestion suggest(int index) {
        return index < trials.size() ? Suggestion.trial(trials.get(index)) : Suggestion.FINISHED;
    }

    /** Returns the chosen values of trial {@code index} (from 0), in the space's option order. */
    public Map<TrialOption, String> trial(int index) {
        return trials.get(index);
    }
}
