package io.rnnsweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.rnnsweep.tracking.EmbeddedServer;
import io.rnnsweep.tracking.FileStore;
import io.rnnsweep.tracking.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tracking server that fails in the middle of a real sweep (real HTTP, real Spark, real training): the
 * outage is reported once, the trials go on without waiting out every request's retries, the output folder
 * has every epoch of every trial, what the server never took is in {@code tracking-unsent.jsonl}, and the
 * sweep exits 3.
 */
class TrackingOutageTest {
    private static final int TRIALS = 8;
    private static final int EPOCHS = 150;
    private static final String SPEC = """
            name: hello-outage
            task: hello
            objective: {metric: val_loss, mode: min}
            space: {hidden: [8, 16], layers: [1, 2], lr: [0.01, 0.05]}
            fixed: {epochs: %d}
            execution: {max_concurrent: 2}
            """.formatted(EPOCHS);
    /**
     * How long the sweep may take from the failure to its exit: the trials still to train (about 10 s here), the
     * one request that finds the server down (its 30 s patience at most) and the report. Before outages were
     * recognised, each trial's end waited out several 30 s patiences in turn: minutes.
     */
    private static final double BOUND_SECONDS = 90;

    @TempDir
    Path dir;
    /** What the sweep writes to standard error, as it goes. */
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    /** What a sweep against a failing server did. */
    private record Outcome(Cli.Run run, String stderr, double secondsAfterFailure, FileStore store,
                           String parentRunId) {
    }

    /**
     * Runs the sweep against an embedded server over HTTP and calls {@code fail} with it once two trial runs
     * have ended in its store.
     */
    private Outcome sweepFailingMidway(Consumer<EmbeddedServer> fail) throws Exception {
        Path spec = Files.writeString(dir.resolve("s.yaml"), SPEC);
        FileStore store = new FileStore(dir.resolve("server-store"));
        AtomicLong failedAt = new AtomicLong();
        PrintStream stderr = System.err;
        try (EmbeddedServer server = EmbeddedServer.start(store, InetAddress.getLoopbackAddress(), 0, null)) {
            Thread failer = new Thread(() -> {
                try {
                    while (finishedTrialRuns(store) < 2) {
                        Thread.sleep(50);
                    }
                    fail.accept(server);
                    failedAt.set(System.nanoTime());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            failer.setDaemon(true);
            failer.start();
            System.setErr(new PrintStream(new TeeStream(stderr, captured), true, StandardCharsets.UTF_8));
            Cli.Run run;
            try {
                run = Cli.run("sweep", spec.toString(), "--out", dir.resolve("out").toString(), "--tracking-uri",
                        server.uri(), "--master", "local[2]");
            } finally {
                System.setErr(stderr);
            }
            long end = System.nanoTime();
            failer.join(1_000);
            assertTrue(failedAt.get() != 0, "the server failed during the sweep: " + run.out() + run.err());
            Matcher parent = Pattern.compile("parent run ([0-9a-f]{32})").matcher(run.out());
            assertTrue(parent.find(), run.out());
            return new Outcome(run, stderr(), (end - failedAt.get()) / 1e9, store,
                    parent.group(1));
        }
    }

    private String stderr() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static long finishedTrialRuns(FileStore store) {
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        return store.searchRuns(experiments, Map.of("rnnsweep.sweep", "hello-outage")).stream()
                .filter(r -> r.tags().containsKey("rnnsweep.trial_id"))
                .filter(r -> r.info().status() == RunStatus.FINISHED).count();
    }

    /** Asserts what the issue asks of a sweep whose tracking server failed midway. */
    private void assertNothingLost(Outcome o) throws IOException {
        Cli.Run run = o.run();
        FileStore store = o.store();
        assertEquals(Main.TRACKING_INCOMPLETE, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("could not be stored in"), run.out());
        assertTrue(run.out().contains(TRIALS + " trials: " + TRIALS + " finished"), run.out());
        Matcher reported = Pattern.compile("the tracking server \\S+ has not answered").matcher(o.stderr());
        int reports = 0;
        while (reported.find()) {
            reports++;
        }
        assertEquals(1, reports, "the outage is reported once:\n" + o.stderr());
        assertTrue(!o.stderr().contains("trains untracked") && !o.stderr().contains("\tat "),
                "no line per trial and no stack trace:\n" + o.stderr());
        System.out.printf("tracking outage: the sweep exited %.1f s after the server failed%n", o.secondsAfterFailure());
        assertTrue(o.secondsAfterFailure() < BOUND_SECONDS, "the sweep ended " + o.secondsAfterFailure()
                + " s after the server failed");

        Path out = dir.resolve("out");
        Map<Integer, Integer> epochsByTrial = new TreeMap<>();
        List<String> rows = Files.readAllLines(out.resolve("trials.csv"));
        for (String row : rows.subList(1, rows.size())) {
            epochsByTrial.merge(Integer.parseInt(row.substring(0, row.indexOf(','))), 1, Integer::sum);
        }
        assertEquals(TRIALS, epochsByTrial.size(), epochsByTrial.toString());
        epochsByTrial.forEach((trial, n) -> assertEquals(EPOCHS, n, "epochs of trial " + trial + " in trials.csv"));
        assertTrue(Files.isRegularFile(out.resolve("report.html")), "the report is written");

        // Every epoch of every trial is in the store or in the unsent file, nowhere lost.
        Map<String, Integer> trialOfRun = new java.util.HashMap<>();
        Map<Integer, java.util.Set<Long>> steps = new TreeMap<>();
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        for (FileStore.Run r : store.searchRuns(experiments, Map.of("rnnsweep.sweep", "hello-outage"))) {
            String index = r.tags().get("rnnsweep.trial_index");
            if (index != null) {
                trialOfRun.put(r.info().runId(), Integer.parseInt(index));
                steps.computeIfAbsent(Integer.parseInt(index), i -> new java.util.TreeSet<>()).addAll(
                        store.metricHistory(r.info().runId(), "val_loss").stream().map(FileStore.Metric::step)
                                .toList());
            }
        }
        List<String> unsent = Files.readAllLines(out.resolve("tracking-unsent.jsonl"));
        assertTrue(!unsent.isEmpty(), "what the server did not take is kept");
        ObjectMapper json = new ObjectMapper();
        for (String line : unsent) {
            JsonNode batch = json.readTree(line);
            String runId = batch.path("runId").asText();
            assertTrue(runId.matches("[0-9a-f]{32}|"), line);
            Integer trial = batch.path("tags").has("rnnsweep.trial_index")
                    ? Integer.valueOf(batch.path("tags").path("rnnsweep.trial_index").asText()) : trialOfRun.get(runId);
            if (trial == null) {
                assertTrue(batch.path("metrics").isEmpty() || runId.equals(o.parentRunId()), "unsent points of an"
                        + " unknown run: " + line.substring(0, Math.min(300, line.length())));
                continue;
            }
            for (JsonNode point : batch.path("metrics")) {
                if (point.path("key").asText().equals("val_loss")) {
                    steps.computeIfAbsent(trial, i -> new java.util.TreeSet<>()).add(point.path("step").asLong());
                }
            }
        }
        assertEquals(TRIALS, steps.size(), steps.keySet().toString());
        steps.forEach((trial, held) -> assertEquals(EPOCHS, held.size(), "epochs of trial " + trial
                + " in the store or the unsent file"));
    }

    @Test
    void aTrackingServerThatStopsAnsweringMidSweepIsReportedOnceLosesNoEpochAndSyncSendsTheRestLater()
            throws Exception {
        Outcome o = sweepFailingMidway(EmbeddedServer::pause);
        assertNothingLost(o);
        // Its cause names the connection's fault (refused, or closed under an upload: whichever call found it).
        assertTrue(o.stderr().matches("(?s).*has not answered for \\d+ s \\(\\w+Exception.*"), o.stderr());
        Matcher hint = Pattern.compile("jobs/rnnsweep sync (\\S+) --tracking-uri http://\\S+ sends it")
                .matcher(o.run().out());
        assertTrue(hint.find(), "the sweep says how to send the rest: " + o.run().out());
        assertEquals(dir.resolve("out").toString(), hint.group(1));

        // The store answers again (served anew): sync sends what the sweep could not, ending every run.
        try (EmbeddedServer again = EmbeddedServer.start(o.store(), InetAddress.getLoopbackAddress(), 0, null)) {
            Cli.Run sync = Cli.run("sync", dir.resolve("out").toString(), "--tracking-uri", again.uri());
            assertEquals(0, sync.code(), sync.out() + sync.err());
            assertTrue(sync.out().contains("the store holds everything the sweep recorded"), sync.out());
            assertTrue(!Files.exists(dir.resolve("out/tracking-unsent.jsonl")), "the unsent file is removed");
            assertEveryRunFinishedWithEveryEpochOnce(o.store());
            List<FileStore.Metric> finished = o.store().metricHistory(o.parentRunId(), "trials_finished");
            assertEquals(List.of((double) TRIALS), finished.stream().map(FileStore.Metric::value).toList(),
                    "the sweep's own metrics reach its parent run once");

            Cli.Run twice = Cli.run("sync", dir.resolve("out").toString(), "--tracking-uri", again.uri());
            assertEquals(0, twice.code(), twice.out() + twice.err());
            assertTrue(twice.out().contains("nothing to send"), twice.out());
            assertEveryRunFinishedWithEveryEpochOnce(o.store());
        }
    }

    @Test
    void aTrackingStoreThatTurnsUnwritableMidSweepIsReportedOnceAndLosesNoEpoch() throws Exception {
        HttpServer[] full = new HttpServer[1];
        try {
            Outcome o = sweepFailingMidway(server -> {
                // The server goes on answering, but every request fails as MLflow's does on a full disk.
                server.pause();
                int port = URI.create(server.uri()).getPort();
                try {
                    full[0] = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                full[0].createContext("/", ex -> {
                    byte[] body = ("{\"error_code\": \"INTERNAL_ERROR\", \"message\": \"[Errno 28] No space left on"
                            + " device\"}").getBytes(StandardCharsets.UTF_8);
                    ex.getRequestBody().readAllBytes();
                    ex.sendResponseHeaders(500, body.length);
                    ex.getResponseBody().write(body);
                    ex.close();
                });
                full[0].start();
            });
            assertNothingLost(o);
            assertTrue(o.stderr().contains("HTTP 500") && o.stderr().contains("No space left on device"), o.stderr());
        } finally {
            if (full[0] != null) {
                full[0].stop(0);
            }
        }
    }

    @Test
    void aTrackingServerBackAfterAnOutageGetsEveryTrialEndedAndEveryEpochOnce() throws Exception {
        Outcome o = sweepFailingMidway(server -> {
            server.pause();
            try {
                while (!stderr().contains("has not answered")) {
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.resume();
        });
        Cli.Run run = o.run();
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(o.stderr().contains("answers again"), o.stderr());
        assertTrue(!Files.exists(dir.resolve("out/tracking-unsent.jsonl")), "nothing is left unsent");
        assertEveryRunFinishedWithEveryEpochOnce(o.store());
    }

    /** Asserts that the store holds the sweep's parent and a run per trial, all FINISHED, each with every epoch once. */
    private static void assertEveryRunFinishedWithEveryEpochOnce(FileStore store) {
        List<String> experiments = store.experiments().stream().map(FileStore.Experiment::id).toList();
        List<FileStore.Run> runs = store.searchRuns(experiments, Map.of("rnnsweep.sweep", "hello-outage"));
        assertEquals(TRIALS + 1, runs.size(), "one run per trial and the parent");
        for (FileStore.Run r : runs) {
            assertEquals(RunStatus.FINISHED, r.info().status(), r.info().runName() + " " + r.tags());
            if (r.tags().containsKey("rnnsweep.trial_index")) {
                List<Long> steps = store.metricHistory(r.info().runId(), "val_loss").stream()
                        .map(FileStore.Metric::step).toList();
                assertEquals(EPOCHS, steps.size(), "every epoch once in " + r.info().runName());
                assertEquals(EPOCHS, new java.util.HashSet<>(steps).size(), r.info().runName());
            }
        }
    }

    /** Writes to two streams: the console, and a buffer the test reads. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
