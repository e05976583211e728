package io.rnnsweep.spark;

import io.rnnsweep.train.GradientStats;
import org.apache.spark.util.AccumulatorV2;

/** Sums the gradient statistics of the updates that data-parallel workers make, back to the driver. */
final class GradientStatsAccumulator extends AccumulatorV2<GradientStats, GradientStats> {
    private static final long serialVersionUID = 1L;
    private GradientStats sum = GradientStats.NONE;

    @Override
    public boolean isZero() {
        return sum.updates() == 0 && sum.tokens() == 0;
    }

    @Override
    public AccumulatorV2<GradientStats, GradientStats> copy() {
        GradientStatsAccumulator c = new GradientStatsAccumulator();
        c.sum = sum;
        return c;
    }

    @Override
    public void reset() {
        sum = GradientStats.NONE;
    }

    @Override
    public void add(GradientStats update) {
        sum = sum.plus(update);
    }

    @Override
    public void merge(AccumulatorV2<GradientStats, GradientStats> other) {
        sum = sum.plus(other.value());
    }

    @Override
    public GradientStats value() {
        return sum;
    }
}
