package io.rnnsweep.spec;

import io.rnnsweep.schedule.Asha;
import io.rnnsweep.schedule.Fifo;
import io.rnnsweep.schedule.HyperbandScheduler;
import io.rnnsweep.schedule.MedianStopping;
import io.rnnsweep.schedule.Rungs;
import io.rnnsweep.schedule.Scheduler;
import io.rnnsweep.schedule.SuccessiveHalving;
import io.rnnsweep.trial.ObjectiveMode;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * How a sweep stops trials early ({@code scheduler:} in the spec), and where paused trials keep their checkpoints.
 *
 * @param algorithm which scheduler
 * @param maxEpochs the epochs of a trial that is never stopped (every trial's {@code epochs})
 * @param graceEpochs the first rung, or the median rule's grace period
 * @param reductionFactor η: the top 1/η of a rung go on (rung-based schedulers)
 * @param minSamples other trials the median rule needs at an epoch before it stops anyone
 * @param checkpointDir where checkpoints live, as a URI or path; empty for {@code <output folder>/checkpoints}
 * @param keep which checkpoints are kept when trials end
 */
public record SchedulerSpec(SchedulerAlgorithm algorithm, int maxEpochs, int graceEpochs, int reductionFactor,
                            int minSamples, Optional<String> checkpointDir, CheckpointRetention keep) {
    /** Default grace epochs. */
    public static final int GRACE = 1;
    /** Default reduction factor. */
    public static final int ETA = 3;
    /** Default minimum samples of the median rule. */
    public static final int MIN_SAMPLES = 3;

    /** Checks the values (the loader reports them with field names first). */
    public SchedulerSpec {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        Objects.requireNonNull(keep, "keep");
        if (maxEpochs < 1 || graceEpochs < 1 || reductionFactor < 2 || minSamples < 1) {
            throw new IllegalArgumentException("scheduler values out of range");
        }
    }

    /** Returns the no-early-stopping scheduler spec for trials of the given epochs. */
    public static SchedulerSpec fifo(int epochs) {
        return new SchedulerSpec(SchedulerAlgorithm.FIFO, epochs, GRACE, ETA, MIN_SAMPLES, Optional.empty(),
                CheckpointRetention.FINISHED);
    }

    /** Returns whether trials train in segments with checkpoints between them (every scheduler but FIFO). */
    public boolean segmented() {
        return algorithm.segmented();
    }

    /** Returns a fresh scheduler for a sweep of {@code trials} trials. */
    public Scheduler create(ObjectiveMode mode, int trials) {
        return switch (algorithm) {
            case FIFO -> new Fifo();
            case MEDIAN -> new MedianStopping(mode, graceEpochs, minSamples);
            case SUCCESSIVE_HALVING -> new SuccessiveHalving(mode, new Rungs(graceEpochs, maxEpochs, reductionFactor),
                    IntStream.range(0, trials).boxed().collect(Collectors.toSet()));
            case HYPERBAND -> new HyperbandScheduler(mode, graceEpochs, maxEpochs, reductionFactor, trials);
            case ASHA -> new Asha(mode, new Rungs(graceEpochs, maxEpochs, reductionFactor));
        };
    }

    /** Returns the scheduler in a few words, for the console. */
    public String describe() {
        return switch (algorithm) {
            case FIFO -> "fifo (no early stopping)";
            case MEDIAN -> algorithm.key() + " (grace " + graceEpochs + ", min samples " + minSamples + ", max "
                    + maxEpochs + " epochs)";
            default -> algorithm.key() + " (rungs " + new Rungs(graceEpochs, maxEpochs, reductionFactor).milestones()
                    + ", η " + reductionFactor + ", max " + maxEpochs + " epochs)";
        };
    }
}
