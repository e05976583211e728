package io.rnnsweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnsweep.tracking.FileStore;
import io.rnnsweep.tracking.PendingBatch;
import io.rnnsweep.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnsweep sync}: a sweep's unsent records sent to its embedded store (served for the command, real HTTP
 * through mlflow-client), the records it refuses kept, and bad input refused before anything is sent.
 */
class SyncCommandTest {
    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    private Path unsentFile(Path out, List<PendingBatch> batches) throws Exception {
        Files.createDirectories(out);
        StringBuilder b = new StringBuilder();
        for (PendingBatch p : batches) {
            b.append(json.writeValueAsString(p)).append('\n');
        }
        return Files.writeString(out.resolve("tracking-unsent.jsonl"), b);
    }

    @Test
    void syncCreatesTheRunsTheStoreNeverTookEndsEveryRunAndKeepsWhatTheStoreRefuses() throws Exception {
        FileStore store = new FileStore(dir.resolve("mlruns"));
        String experiment = store.createExperiment("sync-check");
        String parent = store.createRun(experiment, "me", 1_000, "sweep", Map.of("rnnsweep.sweep", "s")).runId();
        String held = store.createRun(experiment, "me", 1_000, "s-0", Map.of("mlflow.parentRunId", parent,
                "rnnsweep.trial_id", "s-0")).runId();
        store.logBatch(held, List.of(new FileStore.Metric("val_loss", 2.0, 1_100, 1)), Map.of(), Map.of());

        Map<String, String> whole = new LinkedHashMap<>();
        whole.put("mlflow.parentRunId", parent);
        whole.put("rnnsweep.trial_id", "s-1");
        whole.put("mlflow.runName", "s-1-rnn");
        whole.put("rnnsweep.status", "DIVERGED");
        Path file = unsentFile(dir.resolve("out"), List.of(
                // Trial 0's run took epoch 1; its end record holds epochs 1 and 2.
                new PendingBatch(held, List.of(new PendingBatch.Point("val_loss", 2.0, 1_200, 1),
                        new PendingBatch.Point("val_loss", 1.5, 1_200, 2)), Map.of(), Map.of("rnnsweep.status",
                        "FINISHED")),
                // Trial 1 never reached the store: its whole record, without a run.
                new PendingBatch("", List.of(new PendingBatch.Point("val_loss", 9.0, 1_300, 1)), Map.of("lr", "20"),
                        whole),
                // A run deleted from the store meanwhile: refused, kept.
                new PendingBatch("0123456789abcdef0123456789abcdef", List.of(new PendingBatch.Point("x", 1, 1, 1)),
                        Map.of(), Map.of()),
                // The sweep's own end.
                new PendingBatch(parent, List.of(new PendingBatch.Point("trials_finished", 1, 1_400, 0)), Map.of(),
                        Map.of("rnnsweep.status", "FINISHED"))));

        Cli.Run run = Cli.run("sync", dir.resolve("out").toString(), "--tracking-uri",
                dir.resolve("mlruns").toString());

        assertEquals(Main.TRACKING_INCOMPLETE, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("3 of 4 batches sent") && run.out().contains("1 runs created, 3 ended"),
                run.out());
        assertTrue(run.out().contains("refused: run 0123456789abcdef0123456789abcdef"), run.out());
        List<String> kept = Files.readAllLines(file);
        assertEquals(1, kept.size(), "only the refused record stays: " + kept);
        assertTrue(kept.get(0).contains("0123456789abcdef0123456789abcdef"), kept.get(0));

        assertEquals(RunStatus.FINISHED, store.run(held).info().status());
        assertEquals(List.of(1L, 2L), store.metricHistory(held, "val_loss").stream().map(FileStore.Metric::step)
                .toList(), "the epoch the run held is not sent twice");
        assertEquals(RunStatus.FINISHED, store.run(parent).info().status());
        assertEquals(1, store.metricHistory(parent, "trials_finished").size());
        List<FileStore.Run> created = store.searchRuns(List.of(experiment), Map.of("rnnsweep.trial_id", "s-1"));
        assertEquals(1, created.size());
        FileStore.Run s1 = created.get(0);
        assertEquals(RunStatus.FAILED, s1.info().status(), "a diverged trial's run ends FAILED");
        assertEquals("s-1-rnn", s1.info().runName());
        assertEquals(parent, s1.tags().get("mlflow.parentRunId"));
        assertEquals("20", s1.params().get("lr"));
        assertEquals(1_300L, s1.info().endTime(), "ended at its last record's time");
    }

    @Test
    void syncOfAFolderWithNothingUnsentSaysSoAndExitsZero() throws Exception {
        Files.createDirectories(dir.resolve("out"));
        Files.createDirectories(dir.resolve("mlruns"));
        Cli.Run run = Cli.run("sync", dir.resolve("out").toString(), "--tracking-uri",
                dir.resolve("mlruns").toString());
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("nothing to send"), run.out());
    }

    @Test
    void syncRefusesAMissingFolderAMissingStoreAndAFileItCannotReadWithExit2() throws Exception {
        Files.createDirectories(dir.resolve("mlruns"));
        String store = dir.resolve("mlruns").toString();
        Cli.Run noDir = Cli.run("sync", dir.resolve("nowhere").toString(), "--tracking-uri", store);
        assertEquals(Main.BAD_INPUT, noDir.code(), noDir.out() + noDir.err());
        assertTrue(noDir.err().contains("DIR") && noDir.err().contains("nowhere"), noDir.err());

        Path file = unsentFile(dir.resolve("out"), List.of());
        Files.writeString(file, "{\"runId\": \"abc\", \"metrics\": [\n");
        Cli.Run noStore = Cli.run("sync", dir.resolve("out").toString(), "--tracking-uri",
                dir.resolve("no-store").toString());
        assertEquals(Main.BAD_INPUT, noStore.code(), noStore.out() + noStore.err());
        assertTrue(noStore.err().contains("tracking-uri") && noStore.err().contains("no-store"), noStore.err());

        Cli.Run badScheme = Cli.run("sync", dir.resolve("out").toString(), "--tracking-uri", "ftp://host/x");
        assertEquals(Main.BAD_INPUT, badScheme.code(), badScheme.out() + badScheme.err());

        Cli.Run corrupt = Cli.run("sync", dir.resolve("out").toString(), "--tracking-uri", store);
        assertEquals(Main.BAD_INPUT, corrupt.code(), corrupt.out() + corrupt.err());
        assertTrue(corrupt.err().contains("tracking-unsent.jsonl") && !corrupt.err().contains("\tat "),
                corrupt.err());
        assertEquals("{\"runId\": \"abc\", \"metrics\": [\n", Files.readString(file), "the file is left as it was");
    }
}
