package io.rnnsweep.tracking;

import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TrialStatus;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.Page;

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
    /** Trials whose end the server did not take: tried again when the sweep ends. */
    private final List<PendingEnd> pendingEnds = new ArrayList<>();

    /** A trial's end, kept while the server does not take it. */
    private record PendingEnd(TrialRunHandle handle, TrialStatus status, String cause, List<EpochResult> epochs,
                              List<String> report, boolean perplexity, Map<String, String> where,
                              Map<String, String> tags) {
    }
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
        return start(location, bind, experiment, runName, params, tags, earlier -> { });
    }

    /**
     * Starts tracking a sweep as {@link #start(TrackingLocation, InetAddress, String, String, Map, Map)} does, first
     * handing {@code before} the store's earlier sweeps: an {@link InvalidOptionException} it throws ends the start
     * with nothing created.
     */
    public static SweepRun start(TrackingLocation location, InetAddress bind, String experiment, String runName,
                                 Map<String, String> params, Map<String, String> tags,
                                 java.util.function.Consumer<EarlierSweeps> before) {
        return connect(location, bind, (client, target) -> {
            // Search rather than get-by-name: mlflow-client retries get-by-name's 404 for a new experiment
            // as if it were rate-limited, with seconds of sleep.
            Optional<String> existing = Retry.call(() -> experimentId(client, experiment), START_PATIENCE_MILLIS);
            before.accept(sweep -> earlier(client, existing, sweep, null));
            String id = existing.orElseGet(() -> Retry.call(() -> client.createExperiment(experiment),
                    START_PATIENCE_MILLIS));
            Service.RunInfo parent = RunLog.createRun(null, client, id, runName, tags, START_PATIENCE_MILLIS);
            RunLog.send(null, client, new PendingBatch(parent.getRunId(), List.of(), params, Map.of()),
                    START_PATIENCE_MILLIS);
            return new Opened(id, parent);
        });
    }

    /**
     * Finds a sweep that did not finish, to take it up in its own parent run: {@code parentRunId}, or the newest
     * unfinished sweep named {@code sweep} in the experiment when it is null. Nothing changes until
     * {@link #reopen()}.
     *
     * @throws InvalidOptionException (option {@code resume}) when there is nothing to resume: no such run, a run of
     *     another sweep, a trial's run, or a sweep that finished
     * @throws UnavailableException when the server cannot be reached or refuses the requests
     */
    public static SweepRun resume(TrackingLocation location, InetAddress bind, String experiment, String sweep,
                                  String parentRunId) {
        return resume(location, bind, experiment, sweep, parentRunId, false);
    }

    /**
     * Finds a sweep to take up as {@link #resume(TrackingLocation, InetAddress, String, String, String)} does; with
     * {@code finishedToo} a finished sweep too (to extend it), the newest of that name when no run id is given.
     */
    public static SweepRun resume(TrackingLocation location, InetAddress bind, String experiment, String sweep,
                                  String parentRunId, boolean finishedToo) {
        return connect(location, bind, (client, target) -> {
            String given = parentRunId == null ? "(the newest unfinished sweep " + sweep + ")" : parentRunId;
            Optional<String> id = Retry.call(() -> experimentId(client, experiment), START_PATIENCE_MILLIS);
            if (id.isEmpty()) {
                throw new InvalidOptionException("resume", given, "a sweep in experiment " + experiment
                        + ", which " + location.display() + " does not hold");
            }
            Service.Run parent;
            if (parentRunId != null) {
                try {
                    parent = Retry.call(() -> client.getRun(parentRunId), START_PATIENCE_MILLIS);
                } catch (org.mlflow.tracking.MlflowHttpException e) {
                    if (e.getStatusCode() != 404) {
                        throw e;
                    }
                    throw new InvalidOptionException("resume", parentRunId, "the id of a parent run of sweep " + sweep
                            + ": " + location.display() + " holds no run of that id");
                }
                Map<String, String> tags = tags(parent);
                if (tags.containsKey(TrialRunHandle.PARENT_TAG)) {
                    throw new InvalidOptionException("resume", parentRunId, "a sweep's parent run: this is the run of"
                            + " a trial of sweep run " + tags.get(TrialRunHandle.PARENT_TAG));
                }
                if (!sweep.equals(tags.get("rnnsweep.sweep"))) {
                    throw new InvalidOptionException("resume", parentRunId, "a run of sweep " + sweep + ", not of "
                            + tags.getOrDefault("rnnsweep.sweep", "no sweep"));
                }
                if (parent.getInfo().getStatus() == Service.RunStatus.FINISHED && !finishedToo) {
                    throw new InvalidOptionException("resume", parentRunId, "an unfinished sweep: this one finished"
                            + " (extend it with --add-trials)");
                }
            } else {
                parent = parents(client, id.get(), sweep).stream()
                        .filter(r -> finishedToo || r.getInfo().getStatus() != Service.RunStatus.FINISHED)
                        .findFirst().orElseThrow(() -> new InvalidOptionException("resume", given, "an "
                                + (finishedToo ? "" : "unfinished ") + "sweep named " + sweep + " in "
                                + location.display() + ": there is none"));
            }
            return new Opened(id.get(), parent.getInfo());
        });
    }

    /** What {@link #connect} opened: the experiment and the parent run. */
    private record Opened(String experimentId, Service.RunInfo parent) {
    }

    /** Opens the experiment and parent run on a connected client. */
    @FunctionalInterface
    private interface Opener {
        Opened open(MlflowClient client, TrackingTarget target);
    }

    /** Serves the embedded store when the location is one, connects, and opens the sweep's parent run. */
    private static SweepRun connect(TrackingLocation location, InetAddress bind, Opener opener) {
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
            Opened opened = opener.open(client, target);
            return new SweepRun(location, server, target, client, opened.experimentId(), opened.parent());
        } catch (InvalidOptionException e) {
            if (server != null) {
                server.close();
            }
            throw e;
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            throw new UnavailableException("tracking server " + target + " unreachable or refusing requests: "
                    + e.getMessage(), e);
        }
    }

    private static Optional<String> experimentId(MlflowClient client, String experiment) {
        String filter = "name = '" + experiment.replace("\\", "\\\\").replace("'", "\\'") + "'";
        return client.searchExperiments(filter).getItems().stream().filter(e -> e.getName().equals(experiment))
                .map(Service.Experiment::getExperimentId).findFirst();
    }

    /** Returns every run of an experiment whose tags hold the given values, all pages. */
    private static List<Service.Run> search(MlflowClient client, String experimentId, Map<String, String> tags) {
        List<Service.Run> out = new ArrayList<>();
        Page<Service.Run> page = Retry.call(() -> client.searchRuns(List.of(experimentId), SearchFilter.of(tags),
                Service.ViewType.ACTIVE_ONLY, 1000), START_PATIENCE_MILLIS);
        while (true) {
            page.getItems().forEach(out::add);
            if (!page.hasNextPage()) {
                return out;
            }
            Page<Service.Run> current = page;
            page = Retry.call(current::getNextPage, START_PATIENCE_MILLIS);
        }
    }

    /** Returns the parent runs of a sweep's name, newest first. */
    private static List<Service.Run> parents(MlflowClient client, String experimentId, String sweep) {
        return search(client, experimentId, Map.of("rnnsweep.sweep", sweep)).stream()
                .filter(r -> !tags(r).containsKey(TrialRunHandle.PARENT_TAG))
                .sorted(java.util.Comparator.comparingLong((Service.Run r) -> r.getInfo().getStartTime()).reversed())
                .toList();
    }

    /** Returns the parent runs of a sweep's name that did not finish (any status but FINISHED), newest first. */
    private static List<Service.Run> unfinished(MlflowClient client, String experimentId, String sweep) {
        return parents(client, experimentId, sweep).stream()
                .filter(r -> r.getInfo().getStatus() != Service.RunStatus.FINISHED).toList();
    }

    private static Map<String, String> tags(Service.Run run) {
        Map<String, String> out = new LinkedHashMap<>();
        run.getData().getTagsList().forEach(t -> out.put(t.getKey(), t.getValue()));
        return out;
    }

    /** Marks the parent run of a sweep taken up again RUNNING (a dead driver's is still; a cancelled one's is not). */
    public void reopen() {
        Retry.run(() -> client.setTerminated(parentRunId, Service.RunStatus.RUNNING, 0), START_PATIENCE_MILLIS);
    }

    /** Returns the ids of other parent runs of this sweep's name that did not finish, newest first. */
    public List<String> otherUnfinished(String sweep) {
        return unfinished(client, experimentId, sweep).stream().map(r -> r.getInfo().getRunId())
                .filter(id -> !id.equals(parentRunId)).toList();
    }

    /** Returns the parent run's tags (the resolved spec, the output folder, ...). */
    public Map<String, String> parentTags() {
        return tags(Retry.call(() -> client.getRun(parentRunId), END_PATIENCE_MILLIS));
    }

    /**
     * A trial's run as the store holds it: what a resumed sweep keeps, continues or restarts.
     *
     * @param index the trial's index in the sweep
     * @param status the trial's status: its {@code rnnsweep.status} tag (FINISHED, DIVERGED, FAILED, KILLED, or
     *     PAUSED / PROMOTED while it waited at a rung), INTERRUPTED when a cancelled sweep (a KILLED parent run)
     *     killed it, else RUNNING
     * @param params the run's params: the trial's options
     * @param epochs every epoch the run holds, in order
     * @param epochTimes when each epoch was recorded (epoch-millis)
     * @param rung the epochs its checkpoint holds when it waited at a rung, or the rung a scheduler stopped it at
     *     (KILLED), else 0
     * @param cause why it ended, when it did
     * @param runName its run's name
     * @param runId its run's id
     */
    public record StoredTrial(int index, String status, Map<String, String> params, List<EpochResult> epochs,
                              List<Long> epochTimes, int rung, String cause, String runName, String runId) {
    }

    /** Reads every trial run of this sweep back from the store, by trial index. */
    public List<StoredTrial> storedTrials() {
        return storedTrials(client, experimentId, parentRunId);
    }

    /** Reads earlier sweeps from a tracking store, by name. */
    @FunctionalInterface
    public interface EarlierSweeps {
        /**
         * Returns the newest sweep of the given name, finished or not, looked for in the sweep's own experiment
         * and in the experiment of that name (a sweep's default); empty when the store holds none.
         */
        Optional<ReadSweep> find(String sweep);
    }

    /** Returns this store's earlier sweeps (this sweep's own parent run excluded). */
    public EarlierSweeps earlierSweeps() {
        return sweep -> earlier(client, Optional.of(experimentId), sweep, parentRunId);
    }

    private static Optional<ReadSweep> earlier(MlflowClient client, Optional<String> experimentId, String sweep,
                                               String exclude) {
        List<String> experiments = new ArrayList<>();
        experimentId.ifPresent(experiments::add);
        Retry.call(() -> experimentId(client, sweep), START_PATIENCE_MILLIS)
                .filter(id -> !experiments.contains(id)).ifPresent(experiments::add);
        return newest(client, experiments, sweep, exclude);
    }

    /**
     * Reads the newest parent run of a sweep's name (other than {@code exclude}) in the given experiments, with its
     * trials; empty when there is none.
     */
    private static Optional<ReadSweep> newest(MlflowClient client, List<String> experiments, String sweep,
                                              String exclude) {
        Service.Run newest = null;
        String in = null;
        for (String experiment : experiments) {
            for (Service.Run r : parents(client, experiment, sweep)) {
                if (!r.getInfo().getRunId().equals(exclude)
                        && (newest == null || r.getInfo().getStartTime() > newest.getInfo().getStartTime())) {
                    newest = r;
                    in = experiment;
                }
            }
        }
        if (newest == null) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        newest.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
        return Optional.of(new ReadSweep(tags(newest), params, storedTrials(client, in, newest.getInfo().getRunId())));
    }

    /**
     * A sweep read back from a tracking store by name, through mlflow-client (for its report, or to warm-start a
     * search): its newest parent run, that run's tags and params, and its trials.
     *
     * @param parentTags the parent run's tags (task, objective, the resolved spec)
     * @param parentParams the parent run's params (the options every trial shares)
     * @param trials its trials, by index
     */
    public record ReadSweep(Map<String, String> parentTags, Map<String, String> parentParams,
                            List<StoredTrial> trials) {
    }

    /**
     * Reads the newest sweep of a name from a tracking store, a server or the embedded store (served for the
     * read on the loopback address); empty when the store holds none.
     *
     * @throws UnavailableException when the server cannot be reached or refuses the requests
     */
    public static Optional<ReadSweep> read(TrackingLocation location, String sweep) {
        return withTarget(location, target -> {
            try {
                MlflowClient client = target.client();
                List<String> experiments = new ArrayList<>();
                Page<Service.Experiment> page = Retry.call(() -> client.searchExperiments(), START_PATIENCE_MILLIS);
                while (true) {
                    for (Service.Experiment e : page.getItems()) {
                        experiments.add(e.getExperimentId());
                    }
                    if (!page.hasNextPage()) {
                        break;
                    }
                    Page<Service.Experiment> current = page;
                    page = Retry.call(current::getNextPage, START_PATIENCE_MILLIS);
                }
                return newest(client, experiments, sweep, null);
            } catch (RuntimeException e) {
                if (e instanceof InvalidOptionException) {
                    throw e;
                }
                throw new UnavailableException("tracking server " + target + " unreachable or refusing requests: "
                        + e.getMessage(), e);
            }
        });
    }

    /**
     * Runs {@code use} with the store's server: the tracking server, or the embedded store served on the loopback
     * address for the call.
     */
    static <T> T withTarget(TrackingLocation location, java.util.function.Function<TrackingTarget, T> use) {
        if (location.server().isPresent()) {
            return use.apply(location.server().get());
        }
        try (EmbeddedServer server = EmbeddedServer.start(new FileStore(location.store()),
                InetAddress.getLoopbackAddress(), 0, null)) {
            return use.apply(new TrackingTarget(server.uri(), null, null, null));
        }
    }

    private static List<StoredTrial> storedTrials(MlflowClient client, String experimentId, String parentRunId) {
        List<StoredTrial> out = new ArrayList<>();
        // A cancelled sweep's parent ends KILLED: its trials KILLED without a scheduler's word were interrupted.
        boolean cancelled = Retry.call(() -> client.getRun(parentRunId), END_PATIENCE_MILLIS).getInfo().getStatus()
                == Service.RunStatus.KILLED;
        for (Service.Run r : search(client, experimentId, Map.of(TrialRunHandle.PARENT_TAG, parentRunId))) {
            Map<String, String> tags = tags(r);
            Map<String, String> params = new LinkedHashMap<>();
            r.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
            java.util.TreeMap<Long, Map<String, Double>> byEpoch = new java.util.TreeMap<>();
            Map<Long, Long> loggedAt = new java.util.HashMap<>();
            for (Service.Metric latest : r.getData().getMetricsList()) {
                for (Service.Metric m : Retry.call(() -> client.getMetricHistory(r.getInfo().getRunId(),
                        latest.getKey()), END_PATIENCE_MILLIS)) {
                    if (m.getStep() >= 1) { // step 0 holds the run's totals, not an epoch
                        byEpoch.computeIfAbsent(m.getStep(), e -> new LinkedHashMap<>()).put(m.getKey(), m.getValue());
                        loggedAt.merge(m.getStep(), m.getTimestamp(), Math::max);
                    }
                }
            }
            List<EpochResult> epochs = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            byEpoch.forEach((epoch, metrics) -> {
                epochs.add(EpochResult.of(epoch.intValue(), metrics));
                times.add(loggedAt.get(epoch));
            });
            String status = tags.getOrDefault(TrialRun.STATUS_TAG, "RUNNING");
            String cause = tags.getOrDefault("rnnsweep.cause", "");
            if (status.equals("KILLED") && !tags.containsKey("rnnsweep.stopped_by")
                    && (cancelled || cause.startsWith("sweep cancelled"))) {
                status = "INTERRUPTED"; // a cancelled sweep's trial, not one a scheduler stopped or that timed out
            }
            int rung = status.equals("PAUSED") || status.equals("PROMOTED") || status.equals("INTERRUPTED")
                    ? Integer.parseInt(tags.getOrDefault("rnnsweep.rung", "0"))
                    : status.equals("KILLED") && tags.containsKey("rnnsweep.stopped_by")
                    ? Integer.parseInt(tags.getOrDefault("rnnsweep.stop_rung", "0")) : 0;
            out.add(new StoredTrial(Integer.parseInt(tags.getOrDefault("rnnsweep.trial_index", "-1")), status, params,
                    epochs, times, rung, cause, r.getInfo().getRunName(), r.getInfo().getRunId()));
        }
        out.sort(java.util.Comparator.comparingInt(StoredTrial::index));
        return out;
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
        return trial(trialId, runName, params, tags, null);
    }

    /**
     * Returns the handle of a trial's run: the run {@code knownRunId} names (a resumed sweep's trial), else a run
     * this creates now, before the trial's first job, so that nobody searches for it later (the work per trial
     * does not grow with the sweep). When the server cannot take it now, the trial's first job creates it.
     */
    public synchronized TrialRunHandle trial(String trialId, String runName, Map<String, String> params,
                                             Map<String, String> tags, String knownRunId) {
        TrialRunHandle handle = new TrialRunHandle(target, experimentId, parentRunId, trialId, runName, params, tags,
                knownRunId);
        if (knownRunId != null) {
            return handle;
        }
        try {
            return handle.withCreatedRun(TrialRun.create(handle, client));
        } catch (RuntimeException e) {
            if (!Retry.transientFailure(e)) {
                throw e;
            }
            return handle; // its first job creates the run (or the driver, when the trial ends)
        }
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
        List<PendingBatch> executorLeft = new ArrayList<>();
        replay(unsentByExecutor, executorLeft);
        try {
            Service.Run stored = TrialRun.existing(client, handle, END_PATIENCE_MILLIS);
            if (stored != null && stored.getInfo().getStatus() != Service.RunStatus.RUNNING
                    && RunStatus.of(status).terminal()) {
                return;
            }
            TrialRun run = TrialRun.open(handle, where, TrialRun.Opening.ENDING);
            epochs.forEach(run::onEpoch);
            run.tag(tags);
            unsent.addAll(executorLeft);
            unsent.addAll(run.finish(status, cause, report, perplexity));
        } catch (RuntimeException e) {
            if (!Retry.transientFailure(e)) {
                throw e;
            }
            // The server took neither the trial's end nor perhaps its run: keep the whole trial (it holds what
            // the executor could not send), to end it when the sweep ends, or for the unsent file.
            pendingEnds.add(new PendingEnd(handle, status, cause, epochs, report, perplexity, where, tags));
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
            String runId = handle.runId() != null ? handle.runId() : pausedRuns.get(handle.trialId());
            if (runId == null) {
                List<Service.RunInfo> found = Retry.call(target, () -> client.searchRuns(List.of(experimentId),
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
        replay(batches, unsent);
    }

    /** Sends the batches in order; adds the ones the server does not take to {@code left}. */
    private void replay(List<PendingBatch> batches, List<PendingBatch> left) {
        for (PendingBatch b : batches) {
            try {
                RunLog.send(target, client, b, END_PATIENCE_MILLIS);
            } catch (RuntimeException e) {
                if (!Retry.transientFailure(e)) {
                    throw e;
                }
                left.add(b);
            }
        }
    }

    /**
     * Ends the parent run: the sweep's metrics (the best objective), its output files as artifacts, and its
     * status; replays anything still unsent.
     *
     * @param unsentFile where records that still could not be sent are written, one JSON batch per line
     * @return the number of records (and trial runs left unfinished, and the parent's end) that could not be sent;
     *     0 when nothing was lost
     */
    public synchronized int finish(Map<String, Double> metrics, List<Path> artifacts, RunStatus status,
                                   Path unsentFile) {
        awaitTrialArtifacts();
        List<PendingBatch> retry = new ArrayList<>(unsent);
        unsent.clear();
        replay(retry);
        List<PendingEnd> ends = new ArrayList<>(pendingEnds);
        pendingEnds.clear();
        for (PendingEnd e : ends) {
            trialEnded(e.handle(), e.status(), e.cause(), e.epochs(), e.report(), e.perplexity(), e.where(), List.of(),
                    e.tags());
        }
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
            } catch (java.io.IOException | RuntimeException e) {
                if (e instanceof RuntimeException r && Retry.duringOutage(target, r)) {
                    break; // The server is in an outage, reported when it began; the output folder has every file.
                }
                // No artifact fault fails the sweep: its output folder has every file; the parent run says so.
                RuntimeException fault = e instanceof RuntimeException r ? r : new java.io.UncheckedIOException(
                        (java.io.IOException) e);
                parentLog.log(new PendingBatch(parentRunId, List.of(), Map.of(),
                        Map.of("rnnsweep.artifacts_missing", TrialRun.artifactFault(artifactUri, fault))));
                break;
            }
        }
        boolean parentEnded = false;
        if (parentLog.flush(END_PATIENCE_MILLIS)) {
            try {
                Retry.run(target, () -> client.setTerminated(parentRunId, Service.RunStatus.valueOf(status.name()),
                        now), END_PATIENCE_MILLIS);
                parentEnded = true;
            } catch (RuntimeException e) {
                if (!Retry.transientFailure(e)) {
                    throw e;
                }
            }
        }
        List<PendingBatch> left = new ArrayList<>(unsent);
        left.addAll(parentLog.unsent());
        if (!parentEnded) {
            // The sweep's own end, for jobs/rnnsweep sync to set when the server answers again.
            left.add(new PendingBatch(parentRunId, List.of(), Map.of(), Map.of(TrialRun.STATUS_TAG, status.name())));
        }
        pendingEnds.forEach(e -> left.add(TrialRun.whole(e.handle(), e.status(), e.cause(), e.epochs(), e.where(),
                e.tags())));
        if (!left.isEmpty()) {
            PendingBatch.writeJsonLines(unsentFile, left);
        }
        return (int) (left.stream().mapToLong(b -> b.metrics().size() + b.params().size() + b.tags().size()).sum()
                + pendingEnds.size());
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

    /** Waits for the trials' artifacts this JVM still stores (local mode: every trial's), at most a while. */
    private static void awaitTrialArtifacts() {
        if (!ArtifactUploads.await(ArtifactUploads.SHUTDOWN_WAIT_MILLIS)) {
            System.err.println("rnnsweep: warning: some trials' artifacts were still being stored after "
                    + ArtifactUploads.SHUTDOWN_WAIT_MILLIS / 1000 + " s; the sweep ends without waiting for them");
        }
    }

    @Override
    public void close() {
        awaitTrialArtifacts();
        if (server != null) {
            server.close();
        }
        client.close();
    }
}
