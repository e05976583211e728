package io.rnnsweep.spec;

import io.rnnsweep.search.GridSearch;
import io.rnnsweep.search.RandomSearch;
import io.rnnsweep.search.SearchAlgorithm;
import io.rnnsweep.search.Searcher;
import io.rnnsweep.search.TpeSearch;
import io.rnnsweep.space.Domain;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.trial.Divergence;
import io.rnnsweep.trial.Objective;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated sweep: what to train, what to optimize, which values to try and how to run the trials.
 *
 * @param name the sweep's name (letters, digits, {@code . _ -})
 * @param task the task every trial trains
 * @param objective the metric and direction, for searcher, scheduler and leaderboard
 * @param algorithm grid, random or tpe
 * @param trials the number of random or tpe trials (unused for a grid: see {@link #plannedTrials()})
 * @param searchSeed the search's seed
 * @param space the swept options and their domains, in the spec's order
 * @param fixed options set for every trial, as user text
 * @param execution how trials run
 * @param scheduler how trials are stopped early (FIFO: never)
 * @param trackingUri where runs are tracked; empty for the default
 * @param experiment the tracking experiment (default: the sweep's name)
 * @param startupTrials tpe: the random trials before the model takes over (0 for other searches)
 * @param warmStart tpe: earlier sweeps, by name, whose trials seed the model (empty for none)
 * @param divergence when a trial whose losses are finite counts as diverged (default {@link Divergence#DEFAULT})
 */
public record SweepSpec(String name, TaskName task, Objective objective, SearchAlgorithm algorithm, int trials,
                        long searchSeed, Map<TrialOption, Domain> space, Map<TrialOption, String> fixed,
                        ExecutionSpec execution, SchedulerSpec scheduler, Optional<String> trackingUri,
                        String experiment, int startupTrials, List<String> warmStart, Divergence divergence) {

    /** Copies the maps, keeping their order. */
    public SweepSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(execution, "execution");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(trackingUri, "trackingUri");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(divergence, "divergence");
        space = Collections.unmodifiableMap(new LinkedHashMap<>(space));
        fixed = Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
        warmStart = List.copyOf(warmStart);
    }

    /**
     * Returns how many trials the sweep runs: every point of a grid, else {@code trials}; what schedulers that
     * divide trials into brackets or rungs are created for.
     */
    public int plannedTrials() {
        if (algorithm != SearchAlgorithm.GRID) {
            return trials;
        }
        int n = 1;
        for (Domain d : space.values()) {
            n = Math.multiplyExact(n, ((Domain.Choice) d).values().size());
        }
        return n;
    }

    /** Returns how many distinct configurations the space holds ({@link Long#MAX_VALUE} when a domain is continuous). */
    public long distinctConfigurations() {
        long n = 1;
        for (Domain d : space.values()) {
            n = d.size() == Long.MAX_VALUE || n > Long.MAX_VALUE / d.size() ? Long.MAX_VALUE : n * d.size();
        }
        return n;
    }

    /** Returns this spec with another number of random trials (a sweep extended with more). */
    public SweepSpec withTrials(int count) {
        return new SweepSpec(name, task, objective, algorithm, count, searchSeed, space, fixed, execution, scheduler,
                trackingUri, experiment, startupTrials, warmStart, divergence);
    }

    /** Returns a new searcher as this spec describes it, told nothing yet (no warm start). */
    public Searcher searcher() {
        return searcher(List.of());
    }

    /** Returns a new searcher as this spec describes it, a model-based one seeded with earlier observations. */
    public Searcher searcher(List<TpeSearch.Observation> warm) {
        return switch (algorithm) {
            case GRID -> {
                Map<TrialOption, Domain.Choice> grid = new LinkedHashMap<>();
                space.forEach((o, d) -> grid.put(o, (Domain.Choice) d));
                yield new GridSearch(grid);
            }
            case RANDOM -> new RandomSearch(space, trials, searchSeed);
            case TPE -> new TpeSearch(space, trials, startupTrials, searchSeed,
                    objective.mode() == io.rnnsweep.trial.ObjectiveMode.MAX, warm);
        };
    }

    /**
     * Returns the configuration of every trial a fresh searcher proposes before any result (every trial of a
     * grid or random search): task defaults, then the fixed options, then the trial's values.
     */
    public List<TrialConfig> trialConfigs() {
        List<TrialConfig> out = new ArrayList<>();
        for (Map<TrialOption, String> chosen : Searcher.planned(searcher())) {
            out.add(trialConfig(chosen));
        }
        return out;
    }

    /** Returns the configuration of a trial with the given chosen values. */
    public TrialConfig trialConfig(Map<TrialOption, String> chosen) {
        Map<TrialOption, String> all = new LinkedHashMap<>(fixed);
        all.putAll(chosen);
        return Tasks.resolve(task, all);
    }
}
