package io.rnnsweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.tracking.FileStore;
import io.rnnsweep.tracking.RunStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An ASHA sweep end to end, as a user runs it: {@code rnnsweep sweep} on Spark local[2], trials trained in
 * segments between checkpoints, and what it leaves: the tables with each trial's rung, the checkpoints, one
 * MLflow run per trial with its stop reason.
 */
class AshaSweepTest {
    @TempDir
    Path dir;

    @Test
    void ashaSweepStopsAllButTheBestAndLeavesRungsRunsAndOneCheckpoint() throws Exception {
        Path spec = dir.resolve("asha.yaml");
        Files.writeString(spec, """
                name: hello-asha
                task: hello
                objective: {metric: val_loss, mode: min}
                space:
                  hidden: [4, 8, 16]
                  layers: [1, 2]
                  lr: [0.01, 0.05]
                scheduler: {algorithm: asha, max_epochs: 9, grace_epochs: 1, reduction_factor: 3}
                execution: {max_concurrent: 2}
                """);
        Path out = dir.resolve("out");
        Path mlruns = dir.resolve("mlruns");
        CommandLine cli = Main.commandLine();
        StringWriter console = new StringWriter();
        cli.setOut(new PrintWriter(console));
        cli.setErr(new PrintWriter(new StringWriter()));
        int code = cli.execute("sweep", spec.toString(), "--master", "local[2]", "--out", out.toString(),
                "--tracking-uri", mlruns.toString());
        assertEquals(0, code, console.toString());
        assertTrue(console.toString().contains("scheduler: asha (rungs [1, 3], η 3, max 9 epochs)"), console.toString());
        assertTrue(console.toString().contains("[hello-asha] trial-"), "a progress line per segment");

        // leaderboard.csv: rank,trial,run_name,hidden,layers,lr,val_loss,best_epoch,status,epochs,rung
        List<String[]> board = Files.readAllLines(out.resolve("leaderboard.csv")).stream().skip(1)
                .map(l -> l.split(",", -1)).toList();
        assertEquals(12, board.size());
        Map<Integer, Integer> epochs = new HashMap<>();
        Map<Integer, String> status = new HashMap<>();
        for (String[] r : board) {
            epochs.put(Integer.parseInt(r[1]), Integer.parseInt(r[9]));
            status.put(Integer.parseInt(r[1]), r[8]);
            assertEquals(r[9], r[10], "a trial stopped at a rung (or finished) has trained exactly its rung's epochs");
        }
        // ASHA's promise, checked on the final rungs: the top third of each rung (by its value there) went on.
        List<String> trialsCsv = Files.readAllLines(out.resolve("trials.csv"));
        List<String> header = Arrays.asList(trialsCsv.get(0).split(","));
        int epochCol = header.indexOf("epoch");
        int lossCol = header.indexOf("val_loss");
        Map<Integer, Map<Integer, Double>> loss = new HashMap<>();
        for (String line : trialsCsv.subList(1, trialsCsv.size())) {
            String[] c = line.split(",", -1);
            loss.computeIfAbsent(Integer.parseInt(c[0]), k -> new HashMap<>())
                    .put(Integer.parseInt(c[epochCol]), Double.parseDouble(c[lossCol]));
        }
        assertEquals(12, epochs.values().stream().filter(e -> e >= 1).count(), "every trial reaches rung 1");
        List<Integer> rung1 = ranked(loss, epochs, 1);
        List<Integer> rung3 = ranked(loss, epochs, 3);
        assertTrue(rung3.size() >= 4, "at least the top 4 of 12 reached rung 3: " + epochs);
        for (int t : rung1.subList(0, 4)) {
            assertTrue(epochs.get(t) >= 3, "trial " + t + " is in rung 1's top third but stopped there: " + epochs);
        }
        for (int t : rung3.subList(0, Math.max(1, rung3.size() / 3))) {
            assertEquals(9, epochs.get(t), "trial " + t + " is in rung 3's top third but was not trained to the end");
        }
        for (Map.Entry<Integer, Integer> e : epochs.entrySet()) {
            assertEquals(e.getValue() == 9 ? "FINISHED" : "KILLED", status.get(e.getKey()), "trial " + e.getKey());
        }
        int total = epochs.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(total < 12 * 9 / 2, "early stopping saved most of the grid's 108 epochs: " + total);
        String summary = Files.readString(out.resolve("summary.json"));
        assertTrue(summary.contains("\"scheduler\": \"asha\""), summary);
        assertTrue(summary.contains("\"epochs_trained\": " + total + ","), summary);
        assertTrue(Files.readAllLines(out.resolve("trials.csv")).get(0).endsWith(",status,host,pid,rung"));

        // Checkpoints: kept for finished trials only (keep_checkpoints defaults to finished).
        try (Stream<Path> files = Files.list(out.resolve("checkpoints"))) {
            assertEquals(epochs.entrySet().stream().filter(e -> e.getValue() == 9)
                            .map(e -> String.format("trial-%03d.zip", e.getKey())).sorted().toList(),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }

        // One run per trial across its segments; stopped ones KILLED with the rung, value and bar that stopped them.
        FileStore store = new FileStore(mlruns);
        String experiment = store.experimentByName("hello-asha").orElseThrow().id();
        List<FileStore.Run> runs = store.searchRuns(List.of(experiment), Map.of("rnnsweep.sweep", "hello-asha"));
        List<FileStore.Run> children = new ArrayList<>(runs.stream()
                .filter(r -> r.tags().containsKey("mlflow.parentRunId")).toList());
        assertEquals(12, children.size(), "one run per trial, not per segment");
        for (FileStore.Run run : children) {
            int trial = Integer.parseInt(run.tags().get("rnnsweep.trial_index"));
            List<FileStore.Metric> history = store.metricHistory(run.info().runId(), "val_loss");
            assertEquals(epochs.get(trial), history.size(), "every epoch of every segment once, trial " + trial);
            assertEquals(Arrays.asList(steps(epochs.get(trial))), history.stream().map(FileStore.Metric::step).toList());
            Path artifacts = mlruns.resolve(experiment).resolve(run.info().runId()).resolve("artifacts");
            assertTrue(Files.isRegularFile(artifacts.resolve("learning_curve.png")), "the whole trial's curve");
            assertTrue(run.tags().containsKey("rnnsweep.gradient_health"));
            // What describes the whole trial is logged once, when it ends: tracking's cost over every segment.
            List<FileStore.Metric> cost = store.metricHistory(run.info().runId(), "tracking_ms");
            assertEquals(1, cost.size(), "tracking_ms once, trial " + trial + ": " + cost);
            assertEquals(1, store.metricHistory(run.info().runId(), "tracking_ms_per_epoch").size(), "trial " + trial);
            assertEquals("1", run.tags().get("rnnsweep.attempts"), "created by the driver, opened once per attempt");
            assertEquals("bundled", run.tags().get("rnnsweep.blas"), "the BLAS the trial called (Surefire: ND4J's own)");
            if (epochs.get(trial) == 9) {
                assertEquals(RunStatus.FINISHED, run.info().status());
                assertEquals("FINISHED", run.tags().get("rnnsweep.status"));
                assertTrue(Files.readString(artifacts.resolve("report.txt")).contains("ohlol"), "the task's report");
                assertEquals("3", run.tags().get("rnnsweep.segments"), "segments 0-1, 1-3, 3-9");
                continue;
            }
            assertEquals(RunStatus.KILLED, run.info().status(), "trial " + trial);
            assertEquals("asha", run.tags().get("rnnsweep.stopped_by"));
            int rung = Integer.parseInt(run.tags().get("rnnsweep.stop_rung"));
            assertEquals((int) epochs.get(trial), rung);
            double value = Double.parseDouble(run.tags().get("rnnsweep.stop_value"));
            assertEquals(history.get(history.size() - 1).value(), value, 1e-6 * Math.abs(value), "its value at the rung");
            String threshold = run.tags().get("rnnsweep.stop_threshold");
            if (!threshold.equals("none")) {
                assertTrue(value >= Double.parseDouble(threshold), value + " should not beat the bar " + threshold);
            }
            assertTrue(run.tags().get("rnnsweep.cause").startsWith("asha stopped it at epoch " + rung + ": "),
                    run.tags().get("rnnsweep.cause"));
        }
    }

    /** Returns the trials that reached the given epoch, best value there first. */
    private static List<Integer> ranked(Map<Integer, Map<Integer, Double>> loss, Map<Integer, Integer> epochs, int epoch) {
        return epochs.keySet().stream().filter(t -> epochs.get(t) >= epoch)
                .sorted(java.util.Comparator.comparingDouble(t -> loss.get(t).get(epoch))).toList();
    }

    private static Long[] steps(int n) {
        Long[] out = new Long[n];
        for (int i = 0; i < n; i++) {
            out[i] = (long) (i + 1);
        }
        return out;
    }
}
