package io.rnnsweep.space;

import io.rnnsweep.trial.TrialConfig;
import java.util.List;
import java.util.SplittableRandom;

/** The values one trial option may take in a sweep. */
public sealed interface Domain permits Domain.Choice, Domain.Uniform, Domain.LogUniform, Domain.IntRange,
        Domain.Or {

    /** Draws one value, as the option's user text. */
    String sample(SplittableRandom random);

    /** Returns a short description, as written in a spec. */
    String describe();

    /** Returns whether the value (as user text) is one this domain can take. */
    boolean contains(String value);

    /** Returns the text as a number, or NaN when it is none. */
    private static double number(String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Returns how many distinct values the domain holds: {@link Long#MAX_VALUE} for a continuous one. */
    default long size() {
        return Long.MAX_VALUE;
    }

    /**
     * An explicit list of values: a grid tries each, a random search picks one uniformly.
     *
     * @param values the values, as user text, at least one
     */
    record Choice(List<String> values) implements Domain {
        /** Copies the values and checks there is at least one. */
        public Choice {
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("a choice needs at least one value");
            }
        }

        @Override
        public long size() {
            return values.stream().distinct().count();
        }

        @Override
        public String sample(SplittableRandom random) {
            return values.get(random.nextInt(values.size()));
        }

        @Override
        public String describe() {
            return values.toString();
        }

        @Override
        public boolean contains(String value) {
            return values.contains(value);
        }
    }

    /**
     * A real number drawn uniformly from {@code [low, high)}.
     *
     * @param low the lower bound
     * @param high the upper bound, greater than {@code low}
     */
    record Uniform(double low, double high) implements Domain {
        /** Checks the bounds. */
        public Uniform {
            if (!(high > low) || !Double.isFinite(low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("uniform needs finite low < high, got [" + low + ", " + high + "]");
            }
        }

        @Override
        public String sample(SplittableRandom random) {
            return TrialConfig.format(low + (high - low) * random.nextDouble());
        }

        @Override
        public String describe() {
            return "uniform(" + TrialConfig.format(low) + ", " + TrialConfig.format(high) + ")";
        }

        @Override
        public boolean contains(String value) {
            double v = number(value);
            return v >= low && v <= high;
        }
    }

    /**
     * A positive real number whose logarithm is uniform: right for learning rates and clipping thresholds.
     *
     * @param low the lower bound, positive
     * @param high the upper bound, greater than {@code low}
     */
    record LogUniform(double low, double high) implements Domain {
        /** Checks the bounds. */
        public LogUniform {
            if (!(low > 0) || !(high > low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("loguniform needs 0 < low < high, got [" + low + ", " + high + "]");
            }
        }

        @Override
        public String sample(SplittableRandom random) {
            return text(Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * random.nextDouble()));
        }

        /** Returns a drawn value as its user text: six significant digits. */
        public static String text(double v) {
            return TrialConfig.format(Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6g", v)));
        }

        @Override
        public String describe() {
            return "loguniform(" + TrialConfig.format(low) + ", " + TrialConfig.format(high) + ")";
        }

        @Override
        public boolean contains(String value) {
            double v = number(value);
            return v >= low && v <= high;
        }
    }

    /**
     * An integer drawn uniformly from {@code [low, high]}, both included.
     *
     * @param low the smallest value
     * @param high the largest value, at least {@code low}
     */
    record IntRange(long low, long high) implements Domain {
        /** Checks the bounds. */
        public IntRange {
            if (high < low) {
                throw new IllegalArgumentException("int needs low <= high, got [" + low + ", " + high + "]");
            }
        }

        @Override
        public long size() {
            return high - low + 1;
        }

        @Override
        public String sample(SplittableRandom random) {
            return Long.toString(low + random.nextLong(high - low + 1));
        }

        @Override
        public String describe() {
            return "int(" + low + ", " + high + ")";
        }

        @Override
        public boolean contains(String value) {
            double v = number(value);
            return v >= low && v <= high && v == Math.rint(v);
        }
    }

    /**
     * A distribution or one of a few listed values, such as a clipping threshold drawn log-uniformly or
     * {@code none}; a draw takes the distribution and each value with equal chance.
     *
     * @param distribution the uniform, log-uniform or int distribution
     * @param values the other values, as user text, at least one
     */
    record Or(Domain distribution, List<String> values) implements Domain {
        /** Checks the parts. */
        public Or {
            values = List.copyOf(values);
            if (values.isEmpty() || distribution instanceof Choice || distribution instanceof Or) {
                throw new IllegalArgumentException("or needs a distribution and at least one value");
            }
        }

        @Override
        public String sample(SplittableRandom random) {
            int pick = random.nextInt(values.size() + 1);
            return pick == 0 ? distribution.sample(random) : values.get(pick - 1);
        }

        @Override
        public String describe() {
            return distribution.describe() + " or " + values;
        }

        @Override
        public boolean contains(String value) {
            return values.contains(value) || distribution.contains(value);
        }
    }
}
