package io.rnnsweep.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.space.Domain;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TPE as a pure function of its history, on a synthetic objective with a diverging corner. */
class TpeSearchTest {
    private static final int BUDGET = 60;

    /** lr log-uniform and clip uniform: a bowl around lr 0.3, clip 1.5 (optimum 1), diverging at large lr and clip. */
    private static Map<TrialOption, Domain> space() {
        Map<TrialOption, Domain> space = new LinkedHashMap<>();
        space.put(TrialOption.LR, new Domain.LogUniform(1e-3, 10));
        space.put(TrialOption.CLIP, new Domain.Uniform(0.1, 5));
        return space;
    }

    private static boolean diverges(Map<TrialOption, String> x) {
        return Double.parseDouble(x.get(TrialOption.LR)) > 1.5 && Double.parseDouble(x.get(TrialOption.CLIP)) > 2.5;
    }

    private static double objective(Map<TrialOption, String> x) {
        double lr = Math.log10(Double.parseDouble(x.get(TrialOption.LR)) / 0.3);
        double clip = Double.parseDouble(x.get(TrialOption.CLIP)) - 1.5;
        return 1 + lr * lr + 0.3 * clip * clip;
    }

    /** What a sequential sweep does with a searcher: its trials, each told back at once. */
    private record Run(List<Map<TrialOption, String>> trials, List<Double> values) {
        /** Returns the trials needed to get within {@code share} of the optimum (1), or the budget + 1. */
        int trialsToReach(double share) {
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) <= 1 + share) {
                    return i + 1;
                }
            }
            return values.size() + 1;
        }

        long inCorner() {
            return trials.stream().filter(TpeSearchTest::diverges).count();
        }
    }

    private static Run run(Searcher searcher) {
        List<Map<TrialOption, String>> trials = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < BUDGET; i++) {
            Suggestion s = searcher.suggest(i);
            assertEquals(Suggestion.Kind.TRIAL, s.kind(), "trial " + i);
            trials.add(s.chosen());
            values.add(tell(searcher, i, s.chosen()));
        }
        assertEquals(Suggestion.Kind.FINISHED, searcher.suggest(BUDGET).kind());
        return new Run(trials, values);
    }

    /** Tells a searcher how trial {@code i} went; returns its value (infinite when it diverged). */
    private static double tell(Searcher searcher, int i, Map<TrialOption, String> x) {
        if (diverges(x)) {
            searcher.onTrialComplete(i, TrialStatus.DIVERGED, Double.NaN);
            return Double.POSITIVE_INFINITY;
        }
        double v = objective(x);
        searcher.onTrialResult(i, 1, v);
        searcher.onTrialComplete(i, TrialStatus.FINISHED, v);
        return v;
    }

    private static TpeSearch tpe(long seed) {
        return new TpeSearch(space(), BUDGET, 10, seed, false, List.of());
    }

    @Test
    void theSameSeedAndHistoryGiveTheSameTrialsAndAnotherSeedDoesNot() {
        Run a = run(tpe(3));
        Run b = run(tpe(3));
        assertEquals(a.trials(), b.trials());
        assertNotEquals(a.trials(), run(tpe(4)).trials());
        assertEquals(BUDGET, new HashSet<>(a.trials()).size(), "never the same configuration twice");
    }

    @Test
    void reachesTheOptimumInFewerTrialsThanRandomSearchAndAvoidsTheDivergingCorner() {
        int tpeFaster = 0;
        long tpeCorner = 0;
        long randomCorner = 0;
        List<String> trace = new ArrayList<>();
        for (long seed = 0; seed < 10; seed++) {
            Run t = run(tpe(seed));
            Run r = run(new RandomSearch(space(), BUDGET, seed));
            if (t.trialsToReach(0.05) < r.trialsToReach(0.05)) {
                tpeFaster++;
            }
            tpeCorner += t.inCorner();
            randomCorner += r.inCorner();
            trace.add("seed " + seed + ": tpe " + t.trialsToReach(0.05) + " trials, random " + r.trialsToReach(0.05));
        }
        assertTrue(tpeFaster >= 7, "tpe reaches within 5% of the optimum first for most seeds: " + trace);
        assertTrue(tpeCorner < randomCorner, "tpe proposes fewer diverging points: " + tpeCorner + " against "
                + randomCorner);
    }

    @Test
    void maximizingFindsTheTopOfTheNegatedBowl() {
        TpeSearch search = new TpeSearch(space(), BUDGET, 10, 1, true, List.of());
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < BUDGET; i++) {
            Map<TrialOption, String> x = search.suggest(i).chosen();
            double v = -objective(x);
            best = Math.max(best, v);
            search.onTrialResult(i, 1, v);
            search.onTrialComplete(i, TrialStatus.FINISHED, v);
        }
        assertTrue(best > -1.05, "best " + best);
    }

    @Test
    void waitsForAFirstResultOnlyWhileTrialsRunAndAdoptsAResumedTrial() {
        TpeSearch search = new TpeSearch(space(), 20, 2, 5, false, List.of());
        Map<TrialOption, String> first = search.suggest(0).chosen();
        search.suggest(1);
        assertEquals(Suggestion.WAIT, search.suggest(2), "nothing known yet and two trials running");
        assertEquals(first, search.suggest(0).chosen(), "asking again gives the same trial");
        assertEquals(2, Searcher.planned(new TpeSearch(space(), 20, 2, 5, false, List.of())).size(),
                "--dry-run lists the startup trials");
        search.onTrialResult(0, 1, objective(first));
        assertEquals(Suggestion.Kind.TRIAL, search.suggest(2).kind(), "a result came: the next trial goes");

        TpeSearch resumed = new TpeSearch(space(), 20, 2, 5, false, List.of());
        Map<TrialOption, String> ran = Map.of(TrialOption.LR, "0.5", TrialOption.CLIP, "1");
        assertEquals(ran, resumed.resume(7, ran).chosen());
        assertEquals(ran, resumed.suggest(7).chosen(), "the adopted trial is the trial");
    }

    @Test
    void warmStartObservationsSteerTheFirstModelTrials() {
        // An earlier sweep found the bowl's bottom; a warm-started search without startup luck goes there.
        List<TpeSearch.Observation> warm = new ArrayList<>();
        TpeSearch earlier = tpe(11);
        Run r = run(earlier);
        for (int i = 0; i < r.trials().size(); i++) {
            warm.add(new TpeSearch.Observation(r.trials().get(i),
                    Double.isInfinite(r.values().get(i)) ? Double.NaN : r.values().get(i)));
        }
        double coldBest = Double.POSITIVE_INFINITY;
        double warmBest = Double.POSITIVE_INFINITY;
        for (long seed = 20; seed < 25; seed++) {
            TpeSearch cold = new TpeSearch(space(), 12, 1, seed, false, List.of());
            TpeSearch seeded = new TpeSearch(space(), 12, 1, seed, false, warm);
            for (int i = 0; i < 12; i++) {
                Map<TrialOption, String> c = cold.suggest(i).chosen();
                Map<TrialOption, String> w = seeded.suggest(i).chosen();
                coldBest = Math.min(coldBest, tell(cold, i, c));
                warmBest = Math.min(warmBest, tell(seeded, i, w));
            }
        }
        assertTrue(warmBest <= coldBest, "warm " + warmBest + ", cold " + coldBest);
        assertTrue(warmBest < 1.02, "warm " + warmBest);
    }

    @Test
    void aDistributionOrListedValueDomainLearnsWhichOfThemIsBetter() {
        // No clipping is best here; a clipped trial is worse the smaller its threshold.
        Map<TrialOption, Domain> space = new LinkedHashMap<>();
        space.put(TrialOption.LR, new Domain.LogUniform(1e-3, 10));
        space.put(TrialOption.CLIP, new Domain.Or(new Domain.LogUniform(0.05, 10), List.of("none")));
        TpeSearch search = new TpeSearch(space, 40, 10, 2, false, List.of());
        int none = 0;
        for (int i = 0; i < 40; i++) {
            Map<TrialOption, String> x = search.suggest(i).chosen();
            String clip = x.get(TrialOption.CLIP);
            assertTrue(clip.equals("none") || space.get(TrialOption.CLIP).contains(clip), clip);
            double lr = Math.log10(Double.parseDouble(x.get(TrialOption.LR)) / 0.3);
            double v = 1 + lr * lr + (clip.equals("none") ? 0 : 1 / Double.parseDouble(clip));
            search.onTrialResult(i, 1, v);
            search.onTrialComplete(i, TrialStatus.FINISHED, v);
            if (i >= 10 && clip.equals("none")) {
                none++;
            }
        }
        assertTrue(none > 20, "after startup the model mostly proposes no clipping: " + none + " of 30");
    }

    @Test
    void startupTrialsMustBeWithinTheTrials() {
        assertThrows(IllegalArgumentException.class, () -> new TpeSearch(space(), 5, 6, 0, false, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new TpeSearch(space(), 5, 0, 0, false, List.of()));
    }
}
