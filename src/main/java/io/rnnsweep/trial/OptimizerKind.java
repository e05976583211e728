package io.rnnsweep.trial;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The optimizer a trial trains with, with PyTorch's defaults for everything but the learning rate. */
public enum OptimizerKind {
    /** Plain stochastic gradient descent: {@code p -= lr * g}. */
    SGD,
    /** Adam with beta1 0.9, beta2 0.999, epsilon 1e-8. */
    ADAM;

    /** Returns the name users write ({@code sgd}, {@code adam}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a user-written optimizer name.
     *
     * @throws InvalidOptionException naming option {@code optimizer} when the name is unknown
     */
    public static OptimizerKind parse(String text) {
        for (OptimizerKind o : values()) {
            if (o.key().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        throw new InvalidOptionException("optimizer", text,
                Arrays.stream(values()).map(OptimizerKind::key).collect(Collectors.joining(" | ")));
    }
}
