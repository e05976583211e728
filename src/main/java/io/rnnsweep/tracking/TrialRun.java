package io.rnnsweep.tracking;

import io.rnnsweep.execution.TrialRecording;
import io.rnnsweep.report.LearningCurve;
import io.rnnsweep.train.EpochDecision;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TrialStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * A trial's MLflow run, logged from wherever the trial trains: found by its trial-id tag when a retried
 * Spark task runs the trial again (never a second run for one trial), else created as a child of the
 * sweep's parent run with the trial's params; then one log-batch per epoch with {@code step} = epoch, sent
 * in order from a background thread so that training does not wait on the server; at the end the
 * gradient-health and status tags, what tracking cost ({@code tracking_ms}: the time the trial's thread spent
 * on it; {@code tracking_ms_per_epoch}: one epoch record's round trip), and the terminal status; then the
 * learning curve (and the task's report) as artifacts, drawn and stored off the trial's thread
 * ({@link ArtifactUploads}).
 */
public final class TrialRun implements TrialRecording {
    /** How long a record is retried before it is spooled. */
    static final long PATIENCE_MILLIS = 10_000;
    private final TrialRunHandle handle;
    private final MlflowClient client;
    private final RunLog log;
    private final String artifactUri;
    private final long loggedThrough;
    private final List<EpochResult> epochs = new ArrayList<>();
    /** Sends the epochs' records off the training thread, in order. */
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rnnsweep-tracking");
        t.setDaemon(true);
        return t;
    });
    /**
     * The tag a segmented trial's run keeps its tracking cost in until the trial ends (milliseconds on the trial's
     * threads; milliseconds and count of epoch records sent), so that the cost is logged once, whole.
     */
    static final String COST_TAG = "rnnsweep.tracking_cost";
    /**
     * The tag that holds a trial's {@link TrialStatus} on its run (PROMOTED too, for a paused trial a scheduler has
     * promoted); an unsent record of the sweep's own end carries the parent run's status in it.
     */
    static final String STATUS_TAG = "rnnsweep.status";
    private double earlierMs;
    private double earlierEpochMs;
    private int earlierEpochs;
    private long trackingNanos;
    private volatile long epochNanos;
    private volatile int epochsLogged;
    /** Whether {@link #finish} set the terminal status and sent every record. */
    private boolean ended;

    private TrialRun(TrialRunHandle handle, MlflowClient client, RunLog log, String artifactUri, long loggedThrough) {
        this.handle = handle;
        this.client = client;
        this.log = log;
        this.artifactUri = artifactUri;
        this.loggedThrough = loggedThrough;
    }

    /** Why a trial's run is being opened; it says which counter tag goes up when the run already exists. */
    public enum Opening {
        /**
         * The first attempt of a trial whose run the driver created just now: the run is known to be empty, so it
         * is not read back; sets {@code rnnsweep.attempts} to 1.
         */
        FIRST,
        /** A Spark task attempt of the trial (or of its segment): a retry raises {@code rnnsweep.attempts}. */
        ATTEMPT,
        /** The first attempt of a paused trial's next segment: raises {@code rnnsweep.segments}. */
        NEXT_SEGMENT,
        /** The driver ending the run after the trial came back or was stopped: raises nothing. */
        ENDING
    }

    /**
     * Finds the trial's run (a retried task or a later segment continues it, skipping epochs it already holds)
     * or creates it.
     *
     * @param where tags saying where this attempt runs: host, process, GPU, BLAS library
     * @param opening why the run is opened
     * @throws RuntimeException when the server cannot be reached within the retry patience
     */
    public static TrialRun open(TrialRunHandle handle, Map<String, String> where, Opening opening) {
        long t0 = System.nanoTime();
        TrialRun run = open0(handle, where, opening);
        run.trackingNanos += System.nanoTime() - t0;
        return run;
    }

    private static TrialRun open0(TrialRunHandle handle, Map<String, String> where, Opening opening) {
        MlflowClient client = handle.target().client();
        Path spool = Path.of(System.getProperty("java.io.tmpdir"), "rnnsweep-spool");
        if (opening == Opening.FIRST) {
            RunLog log = new RunLog(handle.target(), client, handle.runId(), PATIENCE_MILLIS, spool);
            Map<String, String> tags = new LinkedHashMap<>(where);
            tags.put("rnnsweep.attempts", "1");
            log.log(new PendingBatch(handle.runId(), List.of(), Map.of(), tags));
            return new TrialRun(handle, client, log, handle.createdArtifactUri(), 0);
        }
        Service.Run existing = existing(client, handle, PATIENCE_MILLIS);
        if (existing != null) {
            Service.RunInfo info = existing.getInfo();
            Service.Run run = existing;
            long through = run.getData().getMetricsList().stream().mapToLong(Service.Metric::getStep).max().orElse(0);
            RunLog log = new RunLog(handle.target(), client, info.getRunId(), PATIENCE_MILLIS, spool);
            Map<String, String> tags = new LinkedHashMap<>(where);
            switch (opening) {
                case ATTEMPT -> tags.put("rnnsweep.attempts", Integer.toString(counter(run, "rnnsweep.attempts") + 1));
                case NEXT_SEGMENT -> tags.put("rnnsweep.segments",
                        Integer.toString(counter(run, "rnnsweep.segments") + 1));
                case ENDING, FIRST -> { }
            }
            log.log(new PendingBatch(info.getRunId(), List.of(), Map.of(), tags));
            if (info.getStatus() != Service.RunStatus.RUNNING) {
                Retry.run(handle.target(), () -> client.setTerminated(info.getRunId(), Service.RunStatus.RUNNING, 0),
                        PATIENCE_MILLIS);
            }
            TrialRun opened = new TrialRun(handle, client, log, info.getArtifactUri(), through);
            opened.earlierCost(run.getData().getTagsList().stream().filter(t -> t.getKey().equals(COST_TAG))
                    .map(Service.RunTag::getValue).findFirst().orElse(""));
            return opened;
        }
        Map<String, String> tags = new LinkedHashMap<>(handle.identity());
        tags.putAll(handle.tags());
        tags.putAll(where);
        tags.put("rnnsweep.attempts", "1");
        Service.RunInfo info = RunLog.createRun(handle.target(), client, handle.experimentId(), handle.runName(), tags,
                PATIENCE_MILLIS);
        RunLog log = new RunLog(handle.target(), client, info.getRunId(), PATIENCE_MILLIS, spool);
        log.log(new PendingBatch(info.getRunId(), List.of(), handle.params(), Map.of()));
        return new TrialRun(handle, client, log, info.getArtifactUri(), 0);
    }

    /**
     * Returns the trial's run, or null when there is none yet: the one the handle names (one read, whatever the
     * sweep's size), else the one its identity tags find.
     */
    static Service.Run existing(MlflowClient client, TrialRunHandle handle, long patience) {
        TrackingTarget target = handle.target();
        if (handle.runId() != null) {
            return Retry.call(target, () -> client.getRun(handle.runId()), patience);
        }
        String filter = SearchFilter.of(handle.identity());
        List<Service.RunInfo> found = Retry.call(target, () -> client.searchRuns(List.of(handle.experimentId()),
                filter), patience);
        return found.isEmpty() ? null : Retry.call(target, () -> client.getRun(found.get(0).getRunId()), patience);
    }

    /**
     * Creates a trial's run on the driver before its first job, with its identity, tags and params, and returns
     * it: executors and the driver then open it by id (no search, whatever the sweep's size). Its
     * {@code rnnsweep.attempts} is 0 until a job opens it.
     */
    static Service.RunInfo create(TrialRunHandle handle, MlflowClient client) {
        Map<String, String> tags = new LinkedHashMap<>(handle.identity());
        tags.putAll(handle.tags());
        tags.put("rnnsweep.attempts", "0");
        Service.RunInfo info = RunLog.createRun(handle.target(), client, handle.experimentId(), handle.runName(), tags,
                PATIENCE_MILLIS);
        RunLog.send(handle.target(), client, new PendingBatch(info.getRunId(), List.of(), handle.params(), Map.of()),
                PATIENCE_MILLIS);
        return info;
    }

    private static int counter(Service.Run run, String tag) {
        return run.getData().getTagsList().stream().filter(t -> t.getKey().equals(tag))
                .mapToInt(t -> Integer.parseInt(t.getValue())).findFirst().orElse(1);
    }

    /** Returns the run's id. */
    public String runId() {
        return log.runId();
    }

    @Override
    public EpochDecision onEpoch(EpochResult result) {
        epochs.add(result);
        if (result.epoch() > loggedThrough) {
            long t0 = System.nanoTime();
            PendingBatch batch = new PendingBatch(runId(), points(result, System.currentTimeMillis()), Map.of(), Map.of());
            sender.execute(() -> {
                long s0 = System.nanoTime();
                try {
                    log.log(batch);
                } catch (RuntimeException e) {
                    // Not a transient fault (those are spooled): the record is lost, the trial trains on.
                    System.err.println("rnnsweep: warning: " + runId() + ": epoch " + result.epoch()
                            + " could not be logged: " + e);
                }
                epochNanos += System.nanoTime() - s0;
                epochsLogged++;
            });
            trackingNanos += System.nanoTime() - t0;
        }
        return EpochDecision.CONTINUE;
    }

    /** Logs tags on the run (in order with its epochs). */
    @Override
    public void tag(Map<String, String> tags) {
        if (!tags.isEmpty()) {
            PendingBatch batch = new PendingBatch(runId(), List.of(), Map.of(), tags);
            sender.execute(() -> log.log(batch));
        }
    }

    /**
     * Returns a trial's whole record, for the unsent file, when the server took neither its end nor perhaps its
     * run: keyed by the run's id when the driver created it (else empty: its identity tags name the trial), with
     * its params, every epoch's points, and the tags its end would have set (status, cause, gradient health).
     */
    static PendingBatch whole(TrialRunHandle handle, TrialStatus status, String cause, List<EpochResult> epochs,
                              Map<String, String> where, Map<String, String> tags) {
        long now = System.currentTimeMillis();
        List<PendingBatch.Point> points = new ArrayList<>();
        epochs.forEach(e -> points.addAll(points(e, now)));
        Map<String, String> all = new LinkedHashMap<>(handle.identity());
        all.put("mlflow.runName", handle.runName());
        all.putAll(handle.tags());
        all.putAll(where);
        all.putAll(tags);
        all.putAll(endTags(epochs, status, cause));
        return new PendingBatch(handle.runId() == null ? "" : handle.runId(), points, handle.params(), all);
    }

    /** Returns the tags a trial's end sets on its run: gradient health, status, and the cause when there is one. */
    private static Map<String, String> endTags(List<EpochResult> epochs, TrialStatus status, String cause) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("rnnsweep.gradient_health", GradientHealth.of(epochs, status == TrialStatus.DIVERGED).key());
        tags.put(STATUS_TAG, status.name());
        if (!cause.isEmpty()) {
            tags.put("rnnsweep.cause", cause);
        }
        return tags;
    }

    /** Returns an epoch's finite metrics as points with {@code step} = epoch. */
    static List<PendingBatch.Point> points(EpochResult result, long timestamp) {
        List<PendingBatch.Point> out = new ArrayList<>();
        result.metrics().forEach((k, v) -> {
            if (Double.isFinite(v)) {
                out.add(new PendingBatch.Point(k, v, timestamp, result.epoch()));
            }
        });
        return out;
    }

    /**
     * Ends one segment of a segmented trial and leaves the run RUNNING for the next segment or for the driver,
     * which ends it with the whole trial's epochs: waits for this segment's epochs to be sent, then tags the
     * segment's status and what tracking cost so far (the trial's end logs the whole trial's cost once).
     *
     * @return records the server did not take, to be replayed by the driver
     */
    @Override
    public List<PendingBatch> finishSegment(TrialStatus status) {
        long t0 = System.nanoTime();
        drain();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(STATUS_TAG, status.name());
        tags.put(COST_TAG, costSoFar(t0));
        log.log(new PendingBatch(runId(), List.of(), Map.of(), tags));
        log.flush(PATIENCE_MILLIS);
        client.close();
        return log.handOver();
    }

    /**
     * Waits until the sender has sent every epoch handed to it (at most ten patiences), also when the trial's thread
     * is interrupted (a cancelled Spark task): the run's client closes next, and a send still under way would fail.
     */
    private void drain() {
        sender.shutdown();
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10 * PATIENCE_MILLIS);
        try {
            while (true) {
                try {
                    if (!sender.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        sender.shutdownNow();
                    }
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Returns what tracking held the trial's threads up over its whole life (each segment's opening, handing
     * over epochs, draining them, its end, and this end), as the metrics logged once when the trial ends.
     */
    private List<PendingBatch.Point> cost(long endStarted) {
        long now = System.currentTimeMillis();
        double ms = earlierMs + (trackingNanos + System.nanoTime() - endStarted) / 1e6;
        double epochMs = earlierEpochMs + epochNanos / 1e6;
        int epochs = earlierEpochs + epochsLogged;
        List<PendingBatch.Point> cost = new ArrayList<>();
        cost.add(new PendingBatch.Point("tracking_ms", ms, now, 0));
        if (epochs > 0) {
            cost.add(new PendingBatch.Point("tracking_ms_per_epoch", epochMs / epochs, now, 0));
        }
        return cost;
    }

    /** Returns the cost so far (earlier segments' and this one's) as {@link #COST_TAG} holds it. */
    private String costSoFar(long endStarted) {
        return String.format(java.util.Locale.ROOT, "%.3f;%.3f;%d",
                earlierMs + (trackingNanos + System.nanoTime() - endStarted) / 1e6, earlierEpochMs + epochNanos / 1e6,
                earlierEpochs + epochsLogged);
    }

    /** Takes up what earlier segments' tracking cost, from the run's {@link #COST_TAG} (empty: nothing yet). */
    private void earlierCost(String tag) {
        String[] parts = tag.split(";");
        if (parts.length == 3) {
            try {
                earlierMs = Double.parseDouble(parts[0]);
                earlierEpochMs = Double.parseDouble(parts[1]);
                earlierEpochs = Integer.parseInt(parts[2]);
            } catch (NumberFormatException unreadable) {
                // someone else's tag value: the cost of this opening on is still logged
            }
        }
    }

    /** Whether this JVM already warned that artifacts could not be stored: once is enough. */
    private static final java.util.concurrent.atomic.AtomicBoolean ARTIFACTS_WARNED =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Returns why artifacts could not be stored at {@code artifactUri}, warning about it on this JVM's console
     * the first time (not for every trial).
     */
    static String artifactFault(String artifactUri, RuntimeException e) {
        String why = e instanceof org.mlflow.tracking.MlflowHttpException h
                ? h.getStatusCode() + " " + (h.getBodyMessage() == null ? "" : h.getBodyMessage()) : String.valueOf(e);
        if (ARTIFACTS_WARNED.compareAndSet(false, true)) {
            System.err.println("rnnsweep: warning: run artifacts cannot be stored at " + artifactUri + " (" + why
                    + "); runs are tagged rnnsweep.artifacts_missing, the sweep's output folder has its report"
                    + " (shown once)");
        }
        return why;
    }

    /**
     * Ends the run: gradient health, status and cause tags, the terminal status (PAUSED keeps it RUNNING); then
     * queues the learning curve and the task's report as artifacts ({@link ArtifactUploads}).
     *
     * @param status how the trial ended
     * @param cause why it failed, diverged or was killed; empty otherwise
     * @param report the task's report lines
     * @param perplexity whether the task's loss is cross-entropy (plot perplexity)
     * @return records the server did not take, to be replayed by the driver
     */
    @Override
    public List<PendingBatch> finish(TrialStatus status, String cause, List<String> report, boolean perplexity) {
        long t0 = System.nanoTime();
        drain();
        Map<String, String> tags = endTags(epochs, status, cause);
        // One batch: the trial's end tags and what tracking cost its threads (up to this end's last record).
        log.log(new PendingBatch(runId(), cost(t0), Map.of(), tags));
        RunStatus end = RunStatus.of(status);
        boolean terminated = false;
        if (end.terminal() && log.flush(PATIENCE_MILLIS)) {
            Service.RunStatus s = Service.RunStatus.valueOf(end.name());
            try {
                Retry.run(handle.target(), () -> client.setTerminated(runId(), s, System.currentTimeMillis()),
                        PATIENCE_MILLIS);
                terminated = true;
            } catch (RuntimeException e) {
                if (!Retry.transientFailure(e)) {
                    throw e;
                }
                // The driver ends runs that are still RUNNING when their trial comes back.
            }
        }
        client.close();
        List<EpochResult> curve = List.copyOf(epochs);
        ArtifactUploads.submit(() -> storeArtifacts(curve, report, perplexity));
        List<PendingBatch> unsent = log.handOver();
        ended = terminated && unsent.isEmpty();
        return unsent;
    }

    @Override
    public boolean ended() {
        return ended;
    }

    /**
     * Draws the learning curve and stores it and the task's report as the run's artifacts; when they cannot be
     * stored, tags the run {@code rnnsweep.artifacts_missing} with why (artifacts are not spooled).
     */
    private void storeArtifacts(List<EpochResult> curve, List<String> report, boolean perplexity) {
        try {
            var chart = LearningCurve.chart(handle.runName(), curve, perplexity);
            if (chart != null) {
                log.uploadArtifact(artifactUri, handle.experimentId(), "learning_curve.png", LearningCurve.png(chart));
            }
            if (!report.isEmpty()) {
                log.uploadArtifact(artifactUri, handle.experimentId(), "report.txt",
                        (String.join("\n", report) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            if (Retry.duringOutage(handle.target(), e)) {
                return; // The tag could not go either; the outage was reported when it began.
            }
            String why = artifactFault(artifactUri, e);
            MlflowClient tagger = handle.target().client();
            try {
                RunLog.send(handle.target(), tagger, new PendingBatch(runId(), List.of(), Map.of(),
                        Map.of("rnnsweep.artifacts_missing", why)), PATIENCE_MILLIS);
            } catch (RuntimeException lost) {
                System.err.println("rnnsweep: warning: " + runId() + ": could not tag its missing artifacts: " + lost);
            } finally {
                tagger.close();
            }
        }
    }
}
