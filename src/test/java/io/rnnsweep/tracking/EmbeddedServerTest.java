package io.rnnsweep.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

/** mlflow-client over real HTTP against the embedded server, persisted in MLflow's file-store layout. */
class EmbeddedServerTest {
    @TempDir
    Path dir;

    @Test
    void recordsAKilledProcessSpooledAreSentFirstByTheNextLogOfTheRunAndAHandedOverSpoolIsGone() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new FileStore(dir.resolve("store")),
                InetAddress.getLoopbackAddress(), 0, null);
             MlflowClient client = new TrackingTarget(server.uri(), null, null, null).client()) {
            TrackingTarget target = new TrackingTarget(server.uri(), null, null, null);
            String id = client.createExperiment("spooled");
            String runId = client.createRun(Service.CreateRun.newBuilder().setExperimentId(id).setRunName("t")
                    .setStartTime(1000).build()).getRunId();
            Path spoolDir = dir.resolve("spool");
            // What an executor killed while the server did not answer leaves: epochs 1 and 2, never sent.
            PendingBatch.writeJsonLines(spoolDir.resolve(runId + ".jsonl"), List.of(
                    new PendingBatch(runId, List.of(new PendingBatch.Point("loss", 0.9, 2001, 1)), Map.of(), Map.of()),
                    new PendingBatch(runId, List.of(new PendingBatch.Point("loss", 0.8, 2002, 2)), Map.of(),
                            Map.of("rnnsweep.attempts", "1"))));

            RunLog retry = new RunLog(target, client, runId, 1000, spoolDir);
            assertEquals(2, retry.unsent().size(), "the spooled batches are taken over");
            retry.log(new PendingBatch(runId, List.of(new PendingBatch.Point("loss", 0.7, 3003, 3)), Map.of(),
                    Map.of("rnnsweep.attempts", "2")));
            assertEquals(List.of(1L, 2L, 3L), client.getMetricHistory(runId, "loss").stream()
                    .map(Service.Metric::getStep).toList(), "the spooled epochs go first, then the new one");
            assertEquals("2", client.getRun(runId).getData().getTagsList().stream()
                    .filter(t -> t.getKey().equals("rnnsweep.attempts")).findFirst().orElseThrow().getValue(),
                    "the newer tag wins: it was sent after the spooled one");
            assertTrue(Files.notExists(spoolDir.resolve(runId + ".jsonl")), "a sent spool is deleted");

            server.pause();
            RunLog unreachable = new RunLog(target, client, runId, 200, spoolDir);
            unreachable.log(new PendingBatch(runId, List.of(new PendingBatch.Point("loss", 0.6, 4004, 4)), Map.of(),
                    Map.of()));
            assertTrue(Files.isRegularFile(spoolDir.resolve(runId + ".jsonl")), "unsent records are spooled");
            assertEquals(1, unreachable.handOver().size());
            assertTrue(Files.notExists(spoolDir.resolve(runId + ".jsonl")),
                    "records handed over with the trial leave no spool for a later log to send twice");
            assertTrue(new RunLog(target, client, runId, 200, spoolDir).unsent().isEmpty());
            server.resume();
        }
    }

    @Test
    void mlflowClientRoundTripsExperimentsRunsBatchesSearchAndArtifacts() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new FileStore(dir), InetAddress.getLoopbackAddress(), 0, null);
             MlflowClient client = new TrackingTarget(server.uri(), null, null, null).client()) {
            assertTrue(client.getExperimentByName("roundtrip").isEmpty());
            String id = client.createExperiment("roundtrip");
            assertEquals(id, client.getExperimentByName("roundtrip").orElseThrow().getExperimentId());
            Service.RunInfo info = client.createRun(Service.CreateRun.newBuilder().setExperimentId(id)
                    .setRunName("child-1").setStartTime(1000)
                    .addTags(Service.RunTag.newBuilder().setKey("rnnsweep.trial_id").setValue("s/trial-001")).build());
            assertEquals(Service.RunStatus.RUNNING, info.getStatus());
            RunLog log = new RunLog(new TrackingTarget(server.uri(), null, null, null), client, info.getRunId(), 1000,
                    dir.resolve("spool"));
            List<PendingBatch.Point> points = new java.util.ArrayList<>();
            for (int step = 1; step <= 1500; step++) {
                points.add(new PendingBatch.Point("loss", 1.0 / step, 2000L + step, step));
            }
            log.log(new PendingBatch(info.getRunId(), points, Map.of("lr", "0.5", "hidden", "512"),
                    Map.of("rnnsweep.gradient_health", "healthy")));
            assertTrue(log.unsent().isEmpty());
            Service.Run run = client.getRun(info.getRunId());
            assertEquals("child-1", run.getInfo().getRunName());
            assertEquals(1500, client.getMetricHistory(info.getRunId(), "loss").size(),
                    "1500 points went as two requests within the 1000-metric limit");
            assertEquals(1500, run.getData().getMetrics(0).getStep());
            assertEquals("0.5", run.getData().getParamsList().stream().filter(p -> p.getKey().equals("lr"))
                    .findFirst().orElseThrow().getValue());
            List<Service.RunInfo> found = client.searchRuns(List.of(id),
                    SearchFilter.of(Map.of("rnnsweep.trial_id", "s/trial-001")));
            assertEquals(List.of(info.getRunId()), found.stream().map(Service.RunInfo::getRunId).toList());
            assertTrue(client.searchRuns(List.of(id), SearchFilter.of(Map.of("rnnsweep.trial_id", "x"))).isEmpty());

            assertTrue(log.uploadArtifact(info.getArtifactUri(), id, "curves/report.txt",
                    "hello".getBytes(StandardCharsets.UTF_8)));
            assertEquals("hello", Files.readString(dir.resolve(id).resolve(info.getRunId())
                    .resolve("artifacts/curves/report.txt")));

            MlflowHttpException changed = assertThrows(MlflowHttpException.class, () -> client.logParam(
                    info.getRunId(), "lr", "0.7"));
            assertEquals(400, changed.getStatusCode(), "params are write-once");

            client.setTerminated(info.getRunId(), Service.RunStatus.KILLED, 9000);
            Service.RunInfo ended = client.getRun(info.getRunId()).getInfo();
            assertEquals(Service.RunStatus.KILLED, ended.getStatus());
            assertEquals(9000, ended.getEndTime());
            assertEquals(RunStatus.KILLED, server.store().run(info.getRunId()).info().status());
        }
    }

    @Test
    void batchesAreSpooledWhileTheServerIsDownAndReplayedInOrderWhenItReturns() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new FileStore(dir), InetAddress.getLoopbackAddress(), 0, null);
             MlflowClient client = new TrackingTarget(server.uri(), null, null, null).client()) {
            String id = client.createExperiment("spool");
            String run = client.createRun(id).getRunId();
            Path spoolDir = dir.resolve("spool");
            RunLog log = new RunLog(new TrackingTarget(server.uri(), null, null, null), client, run, 300, spoolDir);
            log.log(new PendingBatch(run, List.of(new PendingBatch.Point("loss", 3, 1, 1)), Map.of(), Map.of()));
            server.pause();
            log.log(new PendingBatch(run, List.of(new PendingBatch.Point("loss", 2, 2, 2)), Map.of(), Map.of()));
            log.log(new PendingBatch(run, List.of(new PendingBatch.Point("loss", 1, 3, 3)), Map.of(), Map.of()));
            assertEquals(2, log.unsent().size(), "both batches kept while the server is down");
            assertTrue(Files.readString(spoolDir.resolve(run + ".jsonl")).lines().count() == 2, "and spooled to disk");
            server.resume();
            log.log(new PendingBatch(run, List.of(new PendingBatch.Point("loss", 0.5, 4, 4)), Map.of(), Map.of()));
            assertTrue(log.unsent().isEmpty());
            assertTrue(Files.notExists(spoolDir.resolve(run + ".jsonl")), "the spool is gone once replayed");
            assertEquals(List.of(1L, 2L, 3L, 4L), client.getMetricHistory(run, "loss").stream()
                    .map(Service.Metric::getStep).toList(), "replayed in logging order, before the newer point");
        }
    }

    @Test
    void withATokenRequestsWithoutItAreRefused() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new FileStore(dir), InetAddress.getLoopbackAddress(), 0,
                "right-token")) {
            try (MlflowClient good = new TrackingTarget(server.uri(), "right-token", null, null).client()) {
                good.createExperiment("secured");
            }
            try (MlflowClient bad = new TrackingTarget(server.uri(), "wrong-token", null, null).client()) {
                MlflowHttpException e = assertThrows(MlflowHttpException.class, () -> bad.getExperimentByName("secured"));
                assertEquals(401, e.getStatusCode());
            }
        }
    }

    @Test
    void aPausedServerRefusesConnectionsAndResumesOnTheSamePort() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new FileStore(dir), InetAddress.getLoopbackAddress(), 0, null);
             MlflowClient client = new TrackingTarget(server.uri(), null, null, null).client()) {
            String uri = server.uri();
            String id = client.createExperiment("pause");
            server.pause();
            RuntimeException down = assertThrows(RuntimeException.class, () -> client.getExperiment(id));
            assertTrue(Retry.transientFailure(down), "a refused connection is worth retrying: " + down);
            server.resume();
            assertEquals(uri, server.uri());
            assertEquals("pause", client.getExperiment(id).getName());
        }
    }
}
