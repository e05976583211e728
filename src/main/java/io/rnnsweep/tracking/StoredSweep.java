package io.rnnsweep.tracking;

import io.rnnsweep.report.SweepData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A sweep read back from an embedded tracking store by its name: its newest parent run (tag
 * {@code rnnsweep.sweep}), the objective from the parent's tags, the swept axes (the trials' params that the
 * parent's fixed params do not hold), and every trial run's metric histories as epochs.
 */
public final class StoredSweep {
    private StoredSweep() {
    }

    /**
     * Loads the newest run of a sweep.
     *
     * @return the sweep, or empty when the store holds no sweep of that name
     */
    public static Optional<SweepData> load(FileStore store, String sweep) {
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        Optional<FileStore.Run> parent = store.searchRuns(experiments, Map.of("rnnsweep.sweep", sweep)).stream()
                .filter(r -> !r.tags().containsKey(TrialRunHandle.PARENT_TAG))
                .max(Comparator.comparingLong(r -> r.info().startTime()));
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        FileStore.Run p = parent.get();
        String[] objective = p.tags().getOrDefault("rnnsweep.objective", "min val_loss").split(" ", 2);
        List<FileStore.Run> children = new ArrayList<>(store.searchRuns(List.of(p.info().experimentId()),
                Map.of(TrialRunHandle.PARENT_TAG, p.info().runId())));
        children.sort(Comparator.comparingInt(r -> Integer.parseInt(r.tags().getOrDefault("rnnsweep.trial_index", "0"))));
        List<String> axes = new ArrayList<>();
        for (FileStore.Run c : children) {
            for (String k : c.params().keySet()) {
                if (!p.params().containsKey(k) && !axes.contains(k)) {
                    axes.add(k);
                }
            }
        }
        List<SweepData.Trial> trials = new ArrayList<>();
        for (FileStore.Run c : children) {
            Map<String, String> options = new LinkedHashMap<>();
            axes.forEach(a -> options.put(a, c.params().getOrDefault(a, "")));
            TreeMap<Long, Map<String, Double>> byEpoch = new TreeMap<>();
            for (List<FileStore.Metric> history : store.metricHistories(c.info().runId()).values()) {
                for (FileStore.Metric m : history) {
                    if (m.step() >= 1) { // step 0 holds the run's totals (tracking_ms), not an epoch
                        byEpoch.computeIfAbsent(m.step(), e -> new LinkedHashMap<>(Map.of("epoch", (double) e)))
                                .put(m.key(), m.value());
                    }
                }
            }
            String status = c.tags().getOrDefault("rnnsweep.status", c.info().status().name());
            trials.add(new SweepData.Trial(Integer.parseInt(c.tags().getOrDefault("rnnsweep.trial_index", "0")),
                    c.info().runName(), options, status, new ArrayList<>(byEpoch.values())));
        }
        return Optional.of(new SweepData(sweep, p.tags().getOrDefault("rnnsweep.task", ""), objective[1],
                objective[0].equals("min"), axes, trials));
    }
}
