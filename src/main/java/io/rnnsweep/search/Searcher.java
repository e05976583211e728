package io.rnnsweep.search;

import io.rnnsweep.trial.TrialOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Decides the option values of each of a sweep's trials. */
public interface Searcher {

    /** Returns how many trials the search makes. */
    int size();

    /** Returns the chosen values of trial {@code index} (from 0), in the space's option order. */
    Map<TrialOption, String> trial(int index);

    /** Returns every trial's chosen values, in trial order. */
    default List<Map<TrialOption, String>> all() {
        List<Map<TrialOption, String>> out = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            out.add(trial(i));
        }
        return out;
    }
}
