package io.rnnsweep.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * Hyperband's brackets (Li et al., JMLR 2018): for s = s_max … 0, a bracket of n = ⌈(s_max+1)·η^s / (s+1)⌉
 * trials starting with r = R·η^−s epochs, each run as successive halving; s_max = ⌊log_η(R / r_min)⌋.
 */
public final class Hyperband {
    /**
     * One bracket.
     *
     * @param trials how many trials it starts
     * @param minEpochs the epochs of its first rung
     */
    public record Bracket(int trials, int minEpochs) {
    }

    private Hyperband() {
    }

    /** Returns the brackets for trials of at most {@code maxEpochs}, first rungs of at least {@code minEpochs}. */
    public static List<Bracket> brackets(int minEpochs, int maxEpochs, int eta) {
        new Rungs(minEpochs, maxEpochs, eta);
        int sMax = 0;
        while ((long) minEpochs * pow(eta, sMax + 1) <= maxEpochs) {
            sMax++;
        }
        List<Bracket> out = new ArrayList<>();
        for (int s = sMax; s >= 0; s--) {
            int n = (int) Math.ceil((sMax + 1) * (double) pow(eta, s) / (s + 1));
            int r = (int) Math.max(1, maxEpochs / pow(eta, s));
            out.add(new Bracket(n, r));
        }
        return out;
    }

    private static long pow(int base, int exp) {
        long v = 1;
        for (int i = 0; i < exp; i++) {
            v *= base;
        }
        return v;
    }
}
