package io.rnnsweep.search;

import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides what each of a sweep's trials tries, ask/tell style: the sweep asks for trial after trial
 * ({@link #suggest}) and tells the searcher every result as it arrives ({@link #onTrialResult},
 * {@link #onTrialComplete}), so a searcher may learn from them. Pure: no Spark, no tracking, no clock; the same
 * calls give the same answers.
 */
public interface Searcher {

    /**
     * Returns what trial {@code index} should try: its values, {@link Suggestion#WAIT} (ask again after the
     * next result) or {@link Suggestion#FINISHED}. The sweep asks for indices 0, 1, 2, ... in order, asking
     * again for the same index after a WAIT.
     */
    Suggestion suggest(int index);

    /**
     * Takes up trial {@code index} of an earlier run of the sweep (a resumed sweep), which ran with {@code chosen},
     * and returns the suggestion it stands for. A searcher that proposes trials without results (grid, random)
     * proposes them again, and the sweep checks they are the same; a model-based one adopts what ran.
     */
    default Suggestion resume(int index, Map<TrialOption, String> chosen) {
        return suggest(index);
    }

    /** Tells the searcher one epoch's objective value of a trial that is still running (NaN: no value). */
    default void onTrialResult(int index, int epoch, double value) {
    }

    /**
     * Tells the searcher that a trial ended: how, and the best objective value it reached (NaN when none).
     * Trials that failed for reasons of their own (diverged) and those that never trained (failed, killed)
     * come here alike; the status tells them apart.
     */
    default void onTrialComplete(int index, TrialStatus status, double best) {
    }

    /**
     * Returns the trials a fresh searcher proposes before any result arrives, in order (every trial for grid and
     * random search): what {@code validate} and {@code --dry-run} list. Asks {@code searcher}, so pass one that
     * no sweep uses.
     */
    static List<Map<TrialOption, String>> planned(Searcher searcher) {
        List<Map<TrialOption, String>> out = new ArrayList<>();
        for (Suggestion s = searcher.suggest(0); s.kind() == Suggestion.Kind.TRIAL; s = searcher.suggest(out.size())) {
            out.add(s.chosen());
        }
        return out;
    }
}
