package io.rnnsweep.tracking;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnsweep.execution.CheckpointStore;
import io.rnnsweep.execution.InProcessExecutor;
import io.rnnsweep.execution.SweepCallback;
import io.rnnsweep.execution.SweepController;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.execution.TrialTask;
import io.rnnsweep.spec.SpecLoader;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TrialStatus;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a trial's driver-side tracking stays as cheap at the end of a large sweep as at its start
 * (jobs/bench-tracking.sh): TRIALS trivial trials (each answers at once with three epochs) through the in-process
 * executor, tracked in the embedded store as a sweep is (the parent run, each trial's run created, ended with its
 * epochs, learning curve and status). Reports the milliseconds the tracking callback took per trial for the first
 * hundred trials, the second hundred (the JIT warmed up) and the last hundred, and the ratio of the last to the
 * second (goal: within 20%; the work per trial must not grow with the sweep).
 */
public final class TrackingScaleBench {
    private TrackingScaleBench() {
    }

    /** Runs the benchmark: {@code OUT.json [TRIALS]}. */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench-tracking-scale.json");
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Path store = Files.createTempDirectory("rnnsweep-scale");
        SweepSpec spec = SpecLoader.parse("scale.yaml", """
                name: tracking-scale
                task: hello
                objective: {metric: val_loss, mode: min}
                search: {algorithm: random, trials: %d, seed: 1}
                space:
                  hidden: {int: [2, 4096]}
                  lr: {loguniform: [0.0001, 1]}
                fixed: {epochs: 3}
                """.formatted(trials));
        SweepRun run = SweepRun.start(TrackingLocation.resolve(store.toString(), Optional.empty(), Map.of()),
                InetAddress.getLoopbackAddress(), spec.experiment(), spec.name(), Map.of(), Map.of());
        double[] millis = new double[trials];
        SweepTracking tracking = new SweepTracking(spec, run);
        SweepCallback timed = new SweepCallback() {
            @Override
            public TrialTask trialCreated(TrialTask task) {
                long t0 = System.nanoTime();
                TrialTask tracked = tracking.trialCreated(task);
                millis[task.index()] += (System.nanoTime() - t0) / 1e6;
                return tracked;
            }

            @Override
            public void trialEnded(TrialTask task, TrialOutcome outcome, Map<String, String> tags) {
                long t0 = System.nanoTime();
                tracking.trialEnded(task, outcome, tags);
                millis[task.index()] += (System.nanoTime() - t0) / 1e6;
            }
        };
        long t0 = System.nanoTime();
        try (InProcessExecutor ex = new InProcessExecutor(TrackingScaleBench::trivial, CheckpointStore.NONE)) {
            new SweepController(spec, ex, 2, null, List.of(timed)).run();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        run.finish(Map.of(), List.of(), RunStatus.FINISHED, store.resolve("unsent.jsonl"));
        run.close();
        int window = Math.min(100, trials / 2);
        double first = mean(millis, 0, window);
        double last = mean(millis, trials - window, trials);
        double second = mean(millis, window, Math.min(trials, 2 * window));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("trials", trials);
        result.put("store", "embedded (file store served by rnnsweep's MLflow REST server), mlflow-client");
        result.put("tracking_ms_per_trial_first_" + window, first);
        result.put("tracking_ms_per_trial_last_" + window, last);
        result.put("tracking_ms_per_trial_second_" + window, second);
        result.put("last_over_second", last / second);
        result.put("sweep_wall_seconds", wall);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), result);
        System.out.printf("driver-side tracking per trial: %.2f ms (trials 1-%d), %.2f ms (the next %d), %.2f ms"
                + " (trials %d-%d), last over second %.2f%n", first, window, second, window, last, trials - window + 1,
                trials, last / second);
    }

    private static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }

    /** A trial that answers at once with three epochs. */
    private static TrialOutcome trivial(TrialTask task) {
        List<EpochResult> done = new ArrayList<>();
        for (int e = 1; e <= 3; e++) {
            double loss = 1.0 / e;
            done.add(new EpochResult(e, loss, Math.exp(loss), loss, Math.exp(loss), Map.of(), 0.5, 0.5, 0, 100, 1e4,
                    0));
        }
        return new TrialOutcome(task.index(), TrialStatus.FINISHED, done, List.of(), "", "here", 1, 0, "", "");
    }
}
