package io.rnnsweep.schedule;

import io.rnnsweep.trial.ObjectiveMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Hyperband over a sweep's finite trials: the trials are split over {@link Hyperband#brackets} in proportion to
 * the brackets' sizes (largest remainders, in trial order), and each bracket runs synchronous successive halving
 * from its own first rung to the maximum.
 */
public final class HyperbandScheduler implements Scheduler {
    private final List<SuccessiveHalving> brackets = new ArrayList<>();
    private final Map<Integer, Integer> bracketOf = new HashMap<>();
    private final List<Rungs> rungs = new ArrayList<>();

    /**
     * Creates the scheduler.
     *
     * @param mode whether the objective is minimized or maximized
     * @param minEpochs the smallest first rung
     * @param maxEpochs the epochs of a trial that is never stopped
     * @param eta the reduction factor
     * @param trials how many trials the sweep has, indexed from 0
     */
    public HyperbandScheduler(ObjectiveMode mode, int minEpochs, int maxEpochs, int eta, int trials) {
        List<Hyperband.Bracket> all = Hyperband.brackets(minEpochs, maxEpochs, eta);
        int[] sizes = split(all.stream().mapToInt(Hyperband.Bracket::trials).toArray(), trials);
        int next = 0;
        for (int b = 0; b < all.size(); b++) {
            if (sizes[b] == 0) {
                continue;
            }
            Set<Integer> members = new LinkedHashSet<>();
            for (int i = 0; i < sizes[b]; i++) {
                members.add(next);
                bracketOf.put(next++, brackets.size());
            }
            Rungs r = new Rungs(all.get(b).minEpochs(), maxEpochs, eta);
            rungs.add(r);
            brackets.add(new SuccessiveHalving(mode, r, members));
        }
    }

    /** Splits {@code total} in proportion to {@code weights} by largest remainders (ties to the earlier). */
    static int[] split(int[] weights, int total) {
        long sum = 0;
        for (int w : weights) {
            sum += w;
        }
        int[] out = new int[weights.length];
        double[] remainder = new double[weights.length];
        int given = 0;
        for (int i = 0; i < weights.length; i++) {
            double exact = (double) total * weights[i] / sum;
            out[i] = (int) Math.floor(exact);
            remainder[i] = exact - out[i];
            given += out[i];
        }
        while (given < total) {
            int best = 0;
            for (int i = 1; i < weights.length; i++) {
                if (remainder[i] > remainder[best]) {
                    best = i;
                }
            }
            out[best]++;
            remainder[best] = -1;
            given++;
        }
        return out;
    }

    /** Returns the first rung (epochs) of each non-empty bracket, and how many trials it got. */
    public List<Hyperband.Bracket> assignment() {
        List<Hyperband.Bracket> out = new ArrayList<>();
        for (int b = 0; b < brackets.size(); b++) {
            final int bracket = b;
            int n = (int) bracketOf.values().stream().filter(v -> v == bracket).count();
            out.add(new Hyperband.Bracket(n, rungs.get(b).minEpochs()));
        }
        return out;
    }

    private SuccessiveHalving of(int trial) {
        Integer b = bracketOf.get(trial);
        if (b == null) {
            throw new IllegalArgumentException("trial " + trial + " is not in any bracket");
        }
        return brackets.get(b);
    }

    @Override
    public Decision onResult(int trial, int epoch, double value) {
        return of(trial).onResult(trial, epoch, value);
    }

    @Override
    public int segmentEnd(int trial, int epochsDone, int maxEpochs) {
        return of(trial).segmentEnd(trial, epochsDone, maxEpochs);
    }

    @Override
    public List<Integer> promotions() {
        List<Integer> out = new ArrayList<>();
        brackets.forEach(b -> out.addAll(b.promotions()));
        return out;
    }

    @Override
    public List<Integer> stopped() {
        List<Integer> out = new ArrayList<>();
        brackets.forEach(b -> out.addAll(b.stopped()));
        return out;
    }

    @Override
    public void onEnd(int trial) {
        of(trial).onEnd(trial);
    }

    @Override
    public Optional<StopReason> reason(int trial) {
        return of(trial).reason(trial).map(r -> new StopReason("hyperband", r.rung(), r.value(), r.threshold(),
                r.why() + " (bracket from epoch " + rungs.get(bracketOf.get(trial)).minEpochs() + ")"));
    }
}
