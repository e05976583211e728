package io.rnnsweep.tracking;

import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TrialStatus;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * A sweep's tracking on the driver: the experiment (one per sweep name, or the spec's), the parent run,
 * the handles executors log trials with, the trials' ends (runs that never reached the server are created
 * from the outcome, unsent records replayed, every run left in a terminal status), and the parent run's
 * summary. With the embedded store it serves {@link EmbeddedServer} for the sweep's lifetime.
 */
public final class SweepRun implements AutoCloseable {
    /** How long the first contact with the server may take before the sweep is refused. */
    static final long START_PATIENCE_MILLIS = 5_000;
    /** How long the driver retries records at a trial's or the sweep's end. */
    static final long END_PATIENCE_MILLIS = 30_000;
    private final TrackingLocation location;
    private final EmbeddedServer server;
    private final TrackingTarget target;
    private final MlflowClient client;
    private final String experimentId;
    private final String parentRunId;
    private final String artifactUri;
    private final RunLog parentLog;
    private final List<PendingBatch> unsent = new ArrayList<>();
    private int unfinished;
    /** The runs of trials that paused between segments, by trial id: one search per trial, not one per pause. */
    private final Map<String, String> pausedRuns = new java.util.HashMap<>();

    private SweepRun(TrackingLocation location, EmbeddedServer server, TrackingTarget target, MlflowClient client,
                     String experimentId, Service.RunInfo parent) {
        this.location = location;
        this.server = server;
        this.target = target;
        this.client = client;
        this.experimentId = experimentId;
        this.parentRunId = parent.getRunId();
        this.artifactUri = parent.getArtifactUri();
        this.parentLog = new RunLog(target, client, parentRunId, END_PATIENCE_MILLIS, spoolDir());
    }

    /** Thrown when the tracking server cannot be reached, or refuses the sweep, before any trial runs. */
    public static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts tracking a sweep: serves the embedded store when the location is one, gets or creates the
     * experiment, and creates the parent run.
     *
     * @param location where runs go
     * @param bind the address the embedded server listens on (loopback when every executor is local); with
     *     any other address requests need a random per-sweep token, which only the sweep's tasks carry
     * @param experiment the experiment's name
     * @param runName the parent run's name
     * @param params the parent run's params (the fixed options)
     * @param tags the parent run's tags (spec, versions, host, search algorithm)
     * @throws UnavailableException when the server cannot be reached or refuses the requests
     */
    public static SweepRun start(TrackingLocation location, InetAddress bind, String experiment, String runName,
                                 Map<String, String> params, Map<String, String> tags) {
        EmbeddedServer server = null;
        TrackingTarget target;
        if (location.server().isPresent()) {
            target = location.server().get();
        } else {
            String token = null;
            if (!bind.isLoopbackAddress()) {
                byte[] bytes = new byte[24];
                new SecureRandom().nextBytes(bytes);
                token = HexFormat.of().formatHex(bytes);
            }
            try {
                server = EmbeddedServer.start(new FileStore(location.store()), bind, 0, token);
            } catch (RuntimeException e) {
                throw new UnavailableException("cannot serve the embedded tracking store " + location.store() + ": "
                        + e.getMessage(), e);
            }
            target = new TrackingTarget(server.uri(), token, null, null);
        }
        try {
            MlflowClient client = target.client();
            // Search rather than get-by-name: mlflow-client retries get-by-name's 404 for a new experiment
            // as if it were rate-limited, with seconds of sleep.
            String filter = "name = '" + experiment.replace("\\", "\\\\").replace("'", "\\'") + "'";
            String id = Retry.call(() -> client.searchExperiments(filter).getItems().stream()
                    .filter(e -> e.getName().equals(experiment)).map(Service.Experiment::getExperimentId).findFirst()
                    .orElseGet(() -> client.createExperiment(experiment)), START_PATIENCE_MILLIS);
            Service.RunInfo parent = RunLog.createRun(client, id, runName, tags, START_PATIENCE_MILLIS);
            SweepRun run = new SweepRun(location, server, target, client, id, parent);
            RunLog.send(client, new PendingBatch(parent.getRunId(), List.of(), params, Map.of()), START_PATIENCE_MILLIS);
            return run;
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            throw new UnavailableException("tracking server " + target + " unreachable or refusing requests: "
                    + e.getMessage(), e);
        }
    }

    private static Path spoolDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "rnnsweep-spool");
    }

    /** Returns where the runs go, for messages. */
    public String display() {
        return location.display() + (server != null ? " (served at " + server.uri() + ")" : "");
    }

    /** Returns the embedded server, when the sweep serves one. */
    public Optional<EmbeddedServer> server() {
        return Optional.ofNullable(server);
    }

    /** Returns the experiment's id. */
    public String experimentId() {
        return experimentId;
    }

    /** Returns the parent run's id. */
    public String parentRunId() {
        return parentRunId;
    }

    /** Returns the handle an executor logs a trial with. */
    public TrialRunHandle trial(String trialId, String runName, Map<String, String> params, Map<String, String> tags) {
        return new TrialRunHandle(target, experimentId, parentRunId, trialId, runName, params, tags);
    }

    /**
     * Records a trial's end: replays what its executor could not send; when its run is missing (the trial
     * never reached the server, or never started) creates it from the outcome; leaves it in a terminal status.
     */
    public synchronized void trialEnded(TrialRunHandle handle, TrialStatus status, String cause,
                                        List<EpochResult> epochs, List<String> report, boolean perplexity,
                                        Map<String, String> where, List<PendingBatch> unsentByExecutor) {
        trialEnded(handle, status, cause, epochs, report, perplexity, where, unsentByExecutor, Map.of());
    }

    /**
     * Records a trial's end as {@link #trialEnded(TrialRunHandle, TrialStatus, String, List, List, boolean, Map,
     * List)} does, with more tags on its run (why a scheduler stopped it, for instance).
     */
    public synchronized void trialEnded(TrialRunHandle handle, TrialStatus status, String cause,
                                        List<EpochResult> epochs, List<String> report, boolean perplexity,
                                        Map<String, String> where, List<PendingBatch> unsentByExecutor,
                                        Map<String, String> tags) {
        replay(unsentByExecutor);
        try {
            List<Service.RunInfo> found = Retry.call(() -> client.searchRuns(List.of(experimentId),
                    SearchFilter.of(handle.identity())), END_PATIENCE_MILLIS);
            if (!found.isEmpty() && found.get(0).getStatus() != Service.RunStatus.RUNNING
                    && RunStatus.of(status).terminal()) {
                return;
            }
            TrialRun run = TrialRun.open(handle, where, TrialRun.Opening.ENDING);
            epochs.forEach(run::onEpoch);
            run.tag(tags);
            unsent.addAll(run.finish(status, cause, report, perplexity));
        } catch (RuntimeException e) {
            if (!Retry.transientFailure(e)) {
                throw e;
            }
            unfinished++;
        }
    }

    /**
     * Records that a trial paused between segments: replays what its executor could not send and tags its run
     * (which stays RUNNING) with where it waits.
     */
    public synchronized void trialPaused(TrialRunHandle handle, Map<String, String> tags,
                                         List<PendingBatch> unsentByExecutor) {
        replay(unsentByExecutor);
        try {
            String runId = pausedRuns.get(handle.trialId());
            if (runId == null) {
                List<Service.RunInfo> found = Retry.call(() -> client.searchRuns(List.of(experimentId),
                        SearchFilter.of(handle.identity())), END_PATIENCE_MILLIS);
                if (found.isEmpty()) {
                    return; // The run is created when the trial comes back from a later segment or ends.
                }
                runId = found.get(0).getRunId();
                pausedRuns.put(handle.trialId(), runId);
            }
            replay(List.of(new PendingBatch(runId, List.of(), Map.of(), tags)));
        } catch (RuntimeException e) {
            if (!Retry.transientFailure(e)) {
                throw e;
            }
        }
    }

    private void replay(List<PendingBatch> batches) {
        for (PendingBatch b : batches) {
            try {
                RunLog.send(client, b, END_PATIENCE_MILLIS);
            } catch (RuntimeException e) {
                if (!Retry.transientFailure(e)) {
                    throw e;
                }
                unsent.add(b);
            }
        }
    }

    /**
     * Ends the parent run: the sweep's metrics (the best objective), its output files as artifacts, and its
     * status; replays anything still unsent.
     *
     * @param unsentFile where records that still could not be sent are written, one JSON batch per line
     * @return the number of records (and trial runs left unfinished) that could not be sent; 0 when nothing
     *     was lost
     */
    public synchronized int finish(Map<String, Double> metrics, List<Path> artifacts, RunStatus status,
                                   Path unsentFile) {
        List<PendingBatch> retry = new ArrayList<>(unsent);
        unsent.clear();
        replay(retry);
        long now = System.currentTimeMillis();
        List<PendingBatch.Point> points = new ArrayList<>();
        metrics.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                points.add(new PendingBatch.Point(k, v, now, 0));
            }
        });
        parentLog.log(new PendingBatch(parentRunId, points, Map.of(), Map.of()));
        for (Path f : artifacts) {
            try {
                parentLog.uploadArtifact(artifactUri, experimentId, f.getFileName().toString(), Files.readAllBytes(f));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        if (parentLog.flush(END_PATIENCE_MILLIS)) {
            Retry.run(() -> client.setTerminated(parentRunId, Service.RunStatus.valueOf(status.name()), now),
                    END_PATIENCE_MILLIS);
        }
        List<PendingBatch> left = new ArrayList<>(unsent);
        left.addAll(parentLog.unsent());
        if (!left.isEmpty()) {
            PendingBatch.writeJsonLines(unsentFile, left);
        }
        return (int) (left.stream().mapToLong(b -> b.metrics().size() + b.params().size() + b.tags().size()).sum()
                + unfinished);
    }

    /** Ends the parent run FAILED (best effort) when the sweep itself failed before it could finish. */
    public synchronized void abandon() {
        try {
            Retry.run(() -> client.setTerminated(parentRunId, Service.RunStatus.FAILED, System.currentTimeMillis()),
                    START_PATIENCE_MILLIS);
        } catch (RuntimeException e) {
            // The sweep's own failure is the one to report.
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        client.close();
    }
}
