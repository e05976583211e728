package io.rnnsweep.schedule;

import io.rnnsweep.trial.ObjectiveMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Synchronous successive halving over a fixed set of trials: every trial pauses at a rung until all trials still
 * alive have reached it; then the top ⌊n/η⌋ (at least one) go on and the rest stop.
 */
public final class SuccessiveHalving implements Scheduler {
    private final ObjectiveMode mode;
    private final Rungs rungs;
    private final List<Integer> milestones;
    private Set<Integer> alive;
    private final List<Map<Integer, Double>> results = new ArrayList<>();
    private final List<Integer> promotions = new ArrayList<>();
    private final List<Integer> stopped = new ArrayList<>();

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
        Map<Integer, Double> rung = results.get(k);
        rung.put(trial, value);
        if (rung.size() < alive.size()) {
            return Decision.PAUSE;
        }
        List<Integer> ranked = Rungs.ranked(rung, mode);
        int keep = Math.max(1, rung.size() / rungs.eta());
        Set<Integer> next = new HashSet<>(ranked.subList(0, keep));
        for (int t : ranked) {
            if (t == trial) {
                continue;
            }
            (next.contains(t) ? promotions : stopped).add(t);
        }
        alive = next;
        return next.contains(trial) ? Decision.CONTINUE : Decision.STOP;
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
}
