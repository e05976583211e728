package io.rnnsweep.search;

import io.rnnsweep.space.Domain;
import io.rnnsweep.trial.TrialOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A fixed number of draws from the domains, each configuration at most once; the same seed gives the same
 * trials.
 */
public final class RandomSearch implements Searcher {
    /** Draws per trial before a space is taken to hold too few configurations. */
    private static final int MAX_REDRAWS = 100_000;
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
        Set<Map<TrialOption, String>> drawn = new HashSet<>();
        for (int i = 0; i < count; i++) {
            SplittableRandom r = root.split();
            Map<TrialOption, String> t = draw(space, r);
            // Never the same configuration twice: draw again from the trial's own stream.
            for (int again = 0; drawn.contains(t); again++) {
                if (again == MAX_REDRAWS) {
                    throw new IllegalArgumentException("could not draw " + count + " distinct configurations from "
                            + "the space (it holds fewer)");
                }
                t = draw(space, r);
            }
            drawn.add(t);
            out.add(Collections.unmodifiableMap(t));
        }
        this.trials = List.copyOf(out);
    }

    /** Returns how many trials the search makes. */
    public int size() {
        return trials.size();
    }

    private static Map<TrialOption, String> draw(Map<TrialOption, Domain> space, SplittableRandom r) {
        Map<TrialOption, String> t = new LinkedHashMap<>();
        space.forEach((option, domain) -> t.put(option, domain.sample(r)));
        return t;
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
