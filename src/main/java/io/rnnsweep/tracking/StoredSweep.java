package io.rnnsweep.tracking;

import io.rnnsweep.report.SweepData;
import io.rnnsweep.trial.EpochResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sweep read back from a tracking store by its name, for its report: its newest parent run (tag
 * {@code rnnsweep.sweep}) in any experiment of the store (the embedded one or any MLflow server, through
 * mlflow-client), the objective and scheduler from the parent's tags, the swept axes (the trials' params that the
 * parent's fixed params do not hold), and every trial run's metric histories as epochs.
 */
public final class StoredSweep {
    private StoredSweep() {
    }

    /**
     * Loads the newest run of a sweep.
     *
     * @return the sweep, or empty when the store holds no sweep of that name
     * @throws SweepRun.UnavailableException when the server cannot be reached or refuses the requests
     */
    public static Optional<SweepData> load(TrackingLocation location, String sweep) {
        return SweepRun.read(location, sweep).map(r -> data(sweep, r));
    }

    private static SweepData data(String sweep, SweepRun.ReadSweep read) {
        Map<String, String> tags = read.parentTags();
        String[] objective = tags.getOrDefault("rnnsweep.objective", "min val_loss").split(" ", 2);
        List<String> axes = new ArrayList<>();
        for (SweepRun.StoredTrial t : read.trials()) {
            for (String k : t.params().keySet()) {
                if (!read.parentParams().containsKey(k) && !axes.contains(k)) {
                    axes.add(k);
                }
            }
        }
        List<SweepData.Trial> trials = new ArrayList<>();
        for (SweepRun.StoredTrial t : read.trials()) {
            Map<String, String> options = new LinkedHashMap<>();
            axes.forEach(a -> options.put(a, t.params().getOrDefault(a, "")));
            List<Map<String, Double>> epochs = new ArrayList<>();
            for (EpochResult e : t.epochs()) {
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("epoch", (double) e.epoch());
                e.metrics().forEach((k, v) -> {
                    if (Double.isFinite(v)) {
                        m.put(k, v);
                    }
                });
                epochs.add(m);
            }
            String status = t.status().equals("INTERRUPTED") ? "KILLED" : t.status();
            trials.add(new SweepData.Trial(t.index(), t.runName(), options, status, epochs));
        }
        return new SweepData(sweep, tags.getOrDefault("rnnsweep.task", ""), objective[1], objective[0].equals("min"),
                axes, trials, SweepData.stoppingOf(tags.getOrDefault("rnnsweep.spec", "")));
    }
}
