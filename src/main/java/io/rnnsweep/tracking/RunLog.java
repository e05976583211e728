package io.rnnsweep.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;

/**
 * Logs one run's records through mlflow-client, in order, nothing lost: each batch is sent within MLflow's
 * request limits and retried with backoff ({@link Retry}); when the server stays unreachable the batch is
 * spooled — kept in order and appended to a spool file — and replayed before anything newer once the server
 * answers again. What is still unsent at the end is {@link #unsent()}.
 */
final class RunLog {
    private final TrackingTarget target;
    private final MlflowClient client;
    private final String runId;
    private final long patienceMillis;
    private final Path spool;
    private final Deque<PendingBatch> pending = new ArrayDeque<>();

    /**
     * Creates the log.
     *
     * @param target the server
     * @param client a client for it
     * @param runId the run
     * @param patienceMillis how long one batch is retried before it is spooled
     * @param spoolDir where the spool file goes (created on first use)
     */
    RunLog(TrackingTarget target, MlflowClient client, String runId, long patienceMillis, Path spoolDir) {
        this.target = target;
        this.client = client;
        this.runId = runId;
        this.patienceMillis = patienceMillis;
        this.spool = spoolDir.resolve(runId + ".jsonl");
        adoptSpool();
    }

    /**
     * Takes over what a process that logged this run before left spooled on this host (it was killed while the
     * server did not answer): those records go first, before anything this log sends. A live log never leaves
     * its spool to another one: it hands what is unsent over with the trial ({@link #handOver}).
     */
    private void adoptSpool() {
        if (!Files.isRegularFile(spool)) {
            return;
        }
        try {
            List<PendingBatch> left = PendingBatch.readJsonLines(spool);
            pending.addAll(left);
            System.err.println("rnnsweep: " + runId + ": " + left.size() + " record batches an earlier process"
                    + " spooled in " + spool + " are sent first");
        } catch (IOException | RuntimeException e) {
            System.err.println("rnnsweep: warning: " + runId + ": cannot read the records an earlier process spooled"
                    + " in " + spool + " (" + e + "); they stay there");
        }
    }

    /** Returns the run's id. */
    String runId() {
        return runId;
    }

    /** Queues a batch behind any spooled ones and sends what it can. */
    synchronized void log(PendingBatch batch) {
        if (!batch.isEmpty()) {
            pending.addLast(batch);
        }
        flush(patienceMillis);
    }

    /** Sends the spooled batches in order; returns whether none is left. */
    synchronized boolean flush(long patience) {
        while (!pending.isEmpty()) {
            PendingBatch next = pending.peekFirst();
            try {
                send(target, client, next, patience);
            } catch (RuntimeException e) {
                if (!Retry.transientFailure(e)) {
                    throw e;
                }
                writeSpool();
                return false;
            }
            pending.removeFirst();
        }
        deleteSpool();
        return true;
    }

    /** Returns the batches not sent yet, in order. */
    synchronized List<PendingBatch> unsent() {
        return new ArrayList<>(pending);
    }

    /**
     * Returns the batches not sent yet, in order, and gives them up: the caller (a trial handing them to the
     * driver with its outcome) keeps them now, so the spool file goes.
     */
    synchronized List<PendingBatch> handOver() {
        List<PendingBatch> out = new ArrayList<>(pending);
        pending.clear();
        deleteSpool();
        return out;
    }

    /**
     * Creates a run with MLflow's standard tags (run name, user, source) and the given ones, retrying within
     * {@code patience}.
     *
     * @param target the server, minding its outages ({@link Retry#call(TrackingTarget, java.util.function.Supplier,
     *     long)}); null before the sweep starts, where a server that does not answer refuses the sweep
     */
    static Service.RunInfo createRun(TrackingTarget target, MlflowClient client, String experimentId, String runName,
                                     Map<String, String> tags, long patience) {
        String user = System.getProperty("user.name", "rnnsweep");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("mlflow.runName", runName);
        all.put("mlflow.user", user);
        all.put("mlflow.source.name", "rnnsweep");
        all.put("mlflow.source.type", "JOB");
        all.putAll(tags);
        Service.CreateRun.Builder create = Service.CreateRun.newBuilder().setExperimentId(experimentId)
                .setStartTime(System.currentTimeMillis()).setRunName(runName).setUserId(user);
        new PendingBatch("", List.of(), Map.of(), all).tags()
                .forEach((k, v) -> create.addTags(Service.RunTag.newBuilder().setKey(k).setValue(v)));
        return target == null ? Retry.call(() -> client.createRun(create.build()), patience)
                : Retry.call(target, () -> client.createRun(create.build()), patience);
    }

    /**
     * Sends one batch as log-batch requests within MLflow's limits.
     *
     * @param target the server, minding its outages; null before the sweep starts
     */
    static void send(TrackingTarget target, MlflowClient client, PendingBatch batch, long patience) {
        for (PendingBatch request : batch.requests()) {
            List<Service.Metric> metrics = request.metrics().stream().map(p -> Service.Metric.newBuilder()
                    .setKey(p.key()).setValue(p.value()).setTimestamp(p.timestamp()).setStep(p.step()).build()).toList();
            List<Service.Param> params = request.params().entrySet().stream()
                    .map(e -> Service.Param.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build()).toList();
            List<Service.RunTag> tags = request.tags().entrySet().stream()
                    .map(e -> Service.RunTag.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build()).toList();
            Runnable call = () -> client.logBatch(batch.runId(), metrics, params, tags);
            if (target == null) {
                Retry.run(call, patience);
            } else {
                Retry.run(target, call, patience);
            }
        }
    }

    /** One HTTP client for every artifact upload of this JVM (each client holds a selector thread). */
    private static final HttpClient ARTIFACT_HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .build();

    /**
     * Stores a file into the run's artifacts: through MLflow's artifact REST endpoint when the run's artifact URI
     * is {@code mlflow-artifacts:} (a server that serves artifacts, the embedded one included), else where the
     * URI points, through Hadoop's FileSystem API (never through mlflow-client's logArtifact, which shells out to a
     * Python CLI).
     *
     * @param artifactUri the run's artifact URI as the server hands it out
     * @param experimentId the run's experiment
     * @param path the file's path inside the artifacts
     * @param content the bytes
     * @return whether the server took it; false when its artifact store cannot be reached this way
     */
    boolean uploadArtifact(String artifactUri, String experimentId, String path, byte[] content) {
        if (!artifactUri.startsWith("mlflow-artifacts:")) {
            // The server hands out a location the client writes itself (file:, hdfs://, s3://, ...).
            try {
                ArtifactStore.write(artifactUri, path, content);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return true;
        }
        String relative = artifactUri.replaceFirst("^mlflow-artifacts:(//[^/]*)?/?", "");
        URI uri = URI.create(target.uri().replaceAll("/+$", "") + "/api/2.0/mlflow-artifacts/artifacts/" + relative
                + "/" + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content));
        String auth = target.authorization();
        if (auth != null) {
            request.header("Authorization", auth);
        }
        return Retry.call(target, () -> {
            try {
                HttpResponse<String> r = ARTIFACT_HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() >= 300) {
                    throw new MlflowHttpException(r.statusCode(), "artifact upload", r.body());
                }
                return true;
            } catch (IOException e) {
                throw new MlflowClientException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MlflowClientException(e);
            }
        }, patienceMillis);
    }

    private void writeSpool() {
        PendingBatch.writeJsonLines(spool, List.copyOf(pending));
    }

    private void deleteSpool() {
        try {
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
