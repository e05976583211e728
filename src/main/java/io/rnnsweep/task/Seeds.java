package io.rnnsweep.task;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Derives independent random streams from a trial seed and the place they are used (stream name, epoch,
 * step), so no random state has to be carried or checkpointed.
 */
public final class Seeds {
    private Seeds() {
    }

    /** Returns a seed for the named stream at the given indices, mixed from the trial seed. */
    public static long derive(long trialSeed, String stream, long... indices) {
        long h = mix(trialSeed ^ 0x9E3779B97F4A7C15L);
        for (byte b : stream.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ b);
        }
        for (long i : indices) {
            h = mix(h ^ mix(i + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    /** Returns a random generator for the named stream at the given indices. */
    public static SplittableRandom random(long trialSeed, String stream, long... indices) {
        return new SplittableRandom(derive(trialSeed, stream, indices));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
