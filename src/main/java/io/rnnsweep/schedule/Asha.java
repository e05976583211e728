package io.rnnsweep.schedule;

import io.rnnsweep.trial.ObjectiveMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning", 2020). A
 * trial reaching a rung is promoted at once when it is in the top ⌊n/η⌋ of the n results its rung has so far;
 * otherwise it pauses there, and is promoted later if enough worse results arrive. No executor waits for a rung
 * to fill. {@link #promotions()} hands out the paused trials that became promotable, highest rung first.
 *
 * <p>A sweep has finitely many trials, so its top rungs may never hold η results; when the sweep drains
 * ({@link #drained()}), the best paused trial of the highest rung that has promoted nobody goes on, so that at
 * least one trial trains to the maximum.
 */
public final class Asha implements Scheduler {
    private final ObjectiveMode mode;
    private final Rungs rungs;
    private final List<Integer> milestones;
    private final List<Map<Integer, Double>> results = new ArrayList<>();
    private final List<Set<Integer>> promoted = new ArrayList<>();
    private final Set<Integer> paused = new LinkedHashSet<>();

    /** Creates the scheduler for an objective and rungs. */
    public Asha(ObjectiveMode mode, Rungs rungs) {
        this.mode = mode;
        this.rungs = rungs;
        this.milestones = rungs.milestones();
        for (int i = 0; i < milestones.size(); i++) {
            results.add(new LinkedHashMap<>());
            promoted.add(new HashSet<>());
        }
    }

    /** Returns the rungs. */
    public Rungs rungs() {
        return rungs;
    }

    @Override
    public Decision onResult(int trial, int epoch, double value) {
        int k = milestones.indexOf(epoch);
        if (k < 0) {
            return Decision.CONTINUE;
        }
        results.get(k).put(trial, value);
        if (promotable(k, trial)) {
            promoted.get(k).add(trial);
            return Decision.CONTINUE;
        }
        paused.add(trial);
        return Decision.PAUSE;
    }

    @Override
    public int segmentEnd(int trial, int epochsDone, int maxEpochs) {
        return Math.min(maxEpochs, rungs.next(epochsDone));
    }

    private boolean promotable(int k, int trial) {
        Map<Integer, Double> rung = results.get(k);
        int top = rung.size() / rungs.eta();
        List<Integer> ranked = Rungs.ranked(rung, mode);
        return ranked.subList(0, top).contains(trial) && !promoted.get(k).contains(trial)
                && !Double.isNaN(rung.get(trial));
    }

    @Override
    public List<Integer> promotions() {
        List<Integer> out = new ArrayList<>();
        for (int k = milestones.size() - 1; k >= 0; k--) {
            // The rung's top 1/η, ranked once: only they can be promoted from it.
            Map<Integer, Double> rung = results.get(k);
            List<Integer> top = Rungs.ranked(rung, mode).subList(0, rung.size() / rungs.eta());
            for (int trial : top) {
                if (paused.contains(trial) && rungIndex(trial) == k && !promoted.get(k).contains(trial)
                        && !Double.isNaN(rung.get(trial))) {
                    promoted.get(k).add(trial);
                    paused.remove(trial);
                    out.add(trial);
                }
            }
        }
        return out;
    }

    @Override
    public List<Integer> drained() {
        for (int k = milestones.size() - 1; k >= 0; k--) {
            if (!promoted.get(k).isEmpty()) {
                continue;
            }
            for (int trial : Rungs.ranked(results.get(k), mode)) {
                if (paused.contains(trial) && rungIndex(trial) == k && !Double.isNaN(results.get(k).get(trial))) {
                    promoted.get(k).add(trial);
                    paused.remove(trial);
                    return List.of(trial);
                }
            }
        }
        return List.of();
    }

    @Override
    public void onEnd(int trial) {
        paused.remove(trial);
    }

    /** Returns the trials paused at a rung now, in pausing order. */
    public List<Integer> paused() {
        return List.copyOf(paused);
    }

    /** Returns the rung (its epoch) a trial last reached, or 0 before the first. */
    public int rungOf(int trial) {
        int k = rungIndex(trial);
        return k < 0 ? 0 : milestones.get(k);
    }

    private int rungIndex(int trial) {
        for (int k = milestones.size() - 1; k >= 0; k--) {
            if (results.get(k).containsKey(trial)) {
                return k;
            }
        }
        return -1;
    }

    /** The bar at a trial's rung: the worst value among the top ⌊n/η⌋ of the results there (NaN while n < η). */
    @Override
    public Optional<StopReason> reason(int trial) {
        int k = rungIndex(trial);
        if (k < 0) {
            return Optional.empty();
        }
        Map<Integer, Double> rung = results.get(k);
        int top = rung.size() / rungs.eta();
        double threshold = top == 0 ? Double.NaN : rung.get(Rungs.ranked(rung, mode).get(top - 1));
        double value = rung.get(trial);
        String why = top == 0
                ? "only " + rung.size() + " trial(s) reached its rung, fewer than the reduction factor " + rungs.eta()
                        + ", and a better one went on"
                : StopReason.number(value) + " is not in the top 1/" + rungs.eta() + " (" + top + " of " + rung.size()
                        + ") of its rung, whose bar is " + StopReason.number(threshold);
        return Optional.of(new StopReason("asha", milestones.get(k), value, threshold, why));
    }
}
