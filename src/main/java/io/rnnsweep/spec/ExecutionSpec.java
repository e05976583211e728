package io.rnnsweep.spec;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a sweep runs its trials.
 *
 * @param maxConcurrent trials running at once (default 2)
 * @param cpusPerTrial CPU cores (and native threads) per trial (default 1)
 * @param gpusPerTrial GPUs per trial (default 0)
 * @param timeout per-trial time limit; empty for none (default none)
 * @param retries extra attempts of a trial whose task fails (default 1)
 * @param mode trial-parallel (default) or data-parallel
 * @param checkpointEvery a running trial stores its checkpoint every this many epochs, so a resumed sweep loses
 *     at most that many epochs of it (default 1; 0: only where a scheduler pauses it)
 */
public record ExecutionSpec(int maxConcurrent, int cpusPerTrial, int gpusPerTrial, Optional<Duration> timeout,
                            int retries, ExecutionMode mode, int checkpointEvery) {
    /** The defaults: 2 concurrent trials, 1 CPU, no GPU, no timeout, 1 retry, trial-parallel, checkpoint every epoch. */
    public static final ExecutionSpec DEFAULTS = new ExecutionSpec(2, 1, 0, Optional.empty(), 1,
            ExecutionMode.TRIAL_PARALLEL, 1);

    /** Checks the values (the loader reports them with field names first). */
    public ExecutionSpec {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(mode, "mode");
        if (maxConcurrent < 1 || cpusPerTrial < 1 || gpusPerTrial < 0 || retries < 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("execution values out of range");
        }
    }
}
