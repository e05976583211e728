package io.rnnsweep.tracking;

import io.rnnsweep.trial.TrialStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * Sends what a sweep's tracking store did not take ({@code tracking-unsent.jsonl} in its output folder) once the
 * store answers again: each batch to its run, in the order the sweep wrote them; a trial whose run the store never
 * took gets it now (or the run a retry did create, found by its {@code mlflow.parentRunId} and
 * {@code rnnsweep.trial_id} tags); a record that carries a run's end ({@code rnnsweep.status}: the trial's, or the
 * sweep's for its parent run) ends that run when it is still RUNNING. What still does not go stays in the file.
 */
public final class UnsentSync {
    private UnsentSync() {
    }

    /**
     * What a sync did.
     *
     * @param sent the batches the store took
     * @param created the trial runs created for records whose run the store never took
     * @param ended the runs ended (set from RUNNING to the status their record carries)
     * @param left the batches still unsent, kept in the file (0: the file is removed)
     * @param errors why batches the store refused outright were kept (a run deleted meanwhile, say), one per batch
     */
    public record Result(int sent, int created, int ended, int left, List<String> errors) {
    }

    /**
     * Sends the file's batches to the store and rewrites the file with what it did not take, or removes it when it
     * took everything.
     *
     * @throws IOException when the file cannot be read as the records a sweep writes, or rewritten
     */
    public static Result sync(TrackingLocation location, Path file) throws IOException {
        List<PendingBatch> batches;
        try {
            batches = PendingBatch.readJsonLines(file);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + " does not hold the records a sweep writes there: "
                    + e.getOriginalMessage(), e);
        }
        List<PendingBatch> left = new ArrayList<>();
        Result result = SweepRun.withTarget(location, target -> send(target, batches, left));
        if (left.isEmpty()) {
            Files.delete(file);
        } else {
            PendingBatch.writeJsonLines(file, left);
        }
        return result;
    }

    /** Sends the batches in order; adds the ones the store did not take to {@code left}. */
    private static Result send(TrackingTarget target, List<PendingBatch> batches, List<PendingBatch> left) {
        MlflowClient client = target.client();
        List<String> errors = new ArrayList<>();
        Map<String, String> runOfTrial = new HashMap<>();
        // The steps each run holds per metric: a record may hold epochs the run already took (a trial's whole
        // record, for one), which are not sent twice.
        Map<String, Map<String, Set<Long>>> heldSteps = new HashMap<>();
        int sent = 0;
        int[] created = {0};
        int ended = 0;
        try {
            for (PendingBatch b : batches) {
                try {
                    String runId = b.runId().isEmpty() ? runOfTrial.computeIfAbsent(b.tags().get(
                            TrialRunHandle.TRIAL_ID_TAG), t -> findOrCreate(target, client, b, created)) : b.runId();
                    Map<String, Set<Long>> held = heldSteps.computeIfAbsent(runId, r -> new HashMap<>());
                    List<PendingBatch.Point> points = new ArrayList<>();
                    for (PendingBatch.Point p : b.metrics()) {
                        if (held.computeIfAbsent(p.key(), k -> steps(target, client, runId, k)).add(p.step())) {
                            points.add(p);
                        }
                    }
                    RunLog.send(target, client, new PendingBatch(runId, points, b.params(), b.tags()),
                            SweepRun.END_PATIENCE_MILLIS);
                    sent++;
                    RunStatus status = endOf(b);
                    if (status != null && end(target, client, runId, status, b)) {
                        ended++;
                    }
                } catch (RuntimeException e) {
                    if (!Retry.transientFailure(e)) {
                        errors.add((b.runId().isEmpty() ? "trial " + b.tags().get(TrialRunHandle.TRIAL_ID_TAG)
                                : "run " + b.runId()) + ": " + e.getMessage());
                    }
                    left.add(b);
                }
            }
        } finally {
            client.close();
        }
        return new Result(sent, created[0], ended, left.size(), errors);
    }

    /** Returns the steps a run holds of a metric. */
    private static Set<Long> steps(TrackingTarget target, MlflowClient client, String runId, String key) {
        Set<Long> out = new HashSet<>();
        Retry.call(target, () -> client.getMetricHistory(runId, key), SweepRun.END_PATIENCE_MILLIS)
                .forEach(m -> out.add(m.getStep()));
        return out;
    }

    /** Returns the terminal run status a record carries, or null when it carries none (or a paused trial's). */
    private static RunStatus endOf(PendingBatch b) {
        String name = b.tags().get(TrialRun.STATUS_TAG);
        for (TrialStatus s : TrialStatus.values()) {
            if (s.name().equals(name) && RunStatus.of(s).terminal()) {
                return RunStatus.of(s);
            }
        }
        return null;
    }

    /** Returns the run of a trial whose record came without one: the one its identity tags find, or a new one. */
    private static String findOrCreate(TrackingTarget target, MlflowClient client, PendingBatch b, int[] created) {
        String parent = b.tags().get(TrialRunHandle.PARENT_TAG);
        String trial = b.tags().get(TrialRunHandle.TRIAL_ID_TAG);
        if (parent == null || trial == null) {
            throw new IllegalArgumentException("a record without a run lacks the " + TrialRunHandle.PARENT_TAG
                    + " or " + TrialRunHandle.TRIAL_ID_TAG + " tag that names its trial's run");
        }
        String experimentId = Retry.call(target, () -> client.getRun(parent), SweepRun.END_PATIENCE_MILLIS).getInfo()
                .getExperimentId();
        TrialRunHandle handle = new TrialRunHandle(target, experimentId, parent, trial,
                b.tags().getOrDefault("mlflow.runName", trial), Map.of(), Map.of(), null);
        Service.Run found = TrialRun.existing(client, handle, SweepRun.END_PATIENCE_MILLIS);
        if (found != null) {
            return found.getInfo().getRunId();
        }
        created[0]++;
        return RunLog.createRun(target, client, experimentId, handle.runName(), handle.identity(),
                SweepRun.END_PATIENCE_MILLIS).getRunId();
    }

    /** Ends a run that is still RUNNING with the (terminal) status its record carries, at its last point's time. */
    private static boolean end(TrackingTarget target, MlflowClient client, String runId, RunStatus status,
                               PendingBatch b) {
        if (Retry.call(target, () -> client.getRun(runId), SweepRun.END_PATIENCE_MILLIS)
                .getInfo().getStatus() != Service.RunStatus.RUNNING) {
            return false;
        }
        long at = b.metrics().stream().mapToLong(PendingBatch.Point::timestamp).max()
                .orElse(System.currentTimeMillis());
        Retry.run(target, () -> client.setTerminated(runId, Service.RunStatus.valueOf(status.name()), at),
                SweepRun.END_PATIENCE_MILLIS);
        return true;
    }
}
