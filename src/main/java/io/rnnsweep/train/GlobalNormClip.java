package io.rnnsweep.train;

import java.util.OptionalDouble;

/**
 * Clipping by the global L2 norm over all parameters, as d2l's {@code grad_clipping} and PyTorch's
 * {@code clip_grad_norm_} do: when the norm {@code n} exceeds the threshold {@code θ}, every gradient is
 * multiplied by {@code θ / n}.
 */
public final class GlobalNormClip {
    private GlobalNormClip() {
    }

    /** Returns the factor the gradient is multiplied by: {@code θ / norm} above the threshold, else 1. */
    public static double factor(double norm, OptionalDouble threshold) {
        if (threshold.isEmpty() || !(norm > threshold.getAsDouble())) {
            return 1.0;
        }
        return threshold.getAsDouble() / norm;
    }

    /** Returns whether a gradient of this norm is clipped. */
    public static boolean clips(double norm, OptionalDouble threshold) {
        return threshold.isPresent() && norm > threshold.getAsDouble();
    }

    /** Returns the L2 norm of all the given gradient pieces taken together. */
    public static double norm(double[]... pieces) {
        double sum = 0;
        for (double[] piece : pieces) {
            for (double v : piece) {
                sum += v * v;
            }
        }
        return Math.sqrt(sum);
    }
}
