package io.rnnsweep.schedule;

import io.rnnsweep.trial.ObjectiveMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Synchronous successive halving over a fixed set of trials: every trial pauses at a rung until all trials still
 * alive have reached it; then the top ⌊n/η⌋ (at least one) go on and the rest stop. A trial that ends on its own
 * before a rung (diverged, failed) is no longer waited for.
 */
public final class SuccessiveHalving implements Scheduler {
    private final ObjectiveMode mode;
    private final Rungs rungs;
    private final List<Integer> milestones;
    private Set<Integer> alive;
    private final List<Map<Integer, Double>> results = new ArrayList<>();
    private final Set<Integer> decided = new HashSet<>();
    private final List<Integer> promotions = new ArrayList<>();
    private final List<Integer> stopped = new ArrayList<>();
    private final Map<Integer, StopReason> reasons = new HashMap<>();

    /**
     * Creates the scheduler.
     *
     * @param mode whether the objective is minimized or maximized
     * @param rungs where trials are compared
     * @param trials the trials of this bracket
     */
    public SuccessiveHalving(ObjectiveMode mode, Rungs rungs, Set<Integer> trials) {
        this.mode = mode;
        this.rungs = rungs;
        this.milestones = rungs.milestones();
        this.alive = new HashSet<>(trials);
        for (int i = 0; i < milestones.size(); i++) {
            results.add(new LinkedHashMap<>());
        }
    }

    @Override
    public Decision onResult(int trial, int epoch, double value) {
        if (!alive.contains(trial)) {
            throw new IllegalArgumentException("trial " + trial + " is not running in this bracket");
        }
        int k = milestones.indexOf(epoch);
        if (k < 0) {
            return Decision.CONTINUE;
        }
        results.get(k).put(trial, value);
        if (!complete(k)) {
            return Decision.PAUSE;
        }
        // The reporter's own fate is its decision; the others' are promotions and stops.
        boolean goesOn = promotions.remove((Integer) trial);
        stopped.remove((Integer) trial);
        return goesOn ? Decision.CONTINUE : Decision.STOP;
    }

    /** Decides rung k when every trial still alive has reached it; returns whether it was decided now. */
    private boolean complete(int k) {
        Map<Integer, Double> rung = results.get(k);
        if (decided.contains(k) || rung.isEmpty() || !rung.keySet().containsAll(alive)) {
            return false;
        }
        decided.add(k);
        List<Integer> ranked = Rungs.ranked(rung, mode).stream().filter(alive::contains).toList();
        if (ranked.isEmpty()) {
            return true;
        }
        int keep = Math.max(1, ranked.size() / rungs.eta());
        Set<Integer> next = new HashSet<>(ranked.subList(0, keep));
        double bar = rung.get(ranked.get(keep - 1));
        for (int t : ranked) {
            if (next.contains(t)) {
                promotions.add(t);
            } else {
                stopped.add(t);
                reasons.put(t, new StopReason("successive_halving", milestones.get(k), rung.get(t), bar,
                        StopReason.number(rung.get(t)) + " is not in the top " + keep + " of the " + ranked.size()
                                + " trials at its rung, whose bar is " + StopReason.number(bar)));
            }
        }
        alive = next;
        return true;
    }

    @Override
    public int segmentEnd(int trial, int epochsDone, int maxEpochs) {
        return Math.min(maxEpochs, rungs.next(epochsDone));
    }

    @Override
    public void onEnd(int trial) {
        if (alive.remove(trial)) {
            for (int k = 0; k < milestones.size(); k++) {
                complete(k);
            }
        }
    }

    @Override
    public List<Integer> promotions() {
        List<Integer> out = List.copyOf(promotions);
        promotions.clear();
        return out;
    }

    @Override
    public List<Integer> stopped() {
        List<Integer> out = List.copyOf(stopped);
        stopped.clear();
        return out;
    }

    @Override
    public Optional<StopReason> reason(int trial) {
        return Optional.ofNullable(reasons.get(trial));
    }
}
