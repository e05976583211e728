package io.rnnsweep.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The file store against a store written by MLflow 2.10.2 itself (../shared/fixtures). */
class FileStoreTest {
    @TempDir
    static Path dir;
    static Path fixture;

    @BeforeAll
    static void extractFixture() throws Exception {
        // A copy of ../shared/fixtures/mlflow-2.10.2-filestore.tar.gz, so a clone alone runs the tests.
        Path tarball = Path.of(FileStoreTest.class.getResource("/fixtures/mlflow-2.10.2-filestore.tar.gz").toURI());
        Process p = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", dir.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        fixture = dir.resolve("fixture-mlruns");
    }

    private static Map<String, Object> yaml(Path f) throws Exception {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(f));
    }

    @Test
    void readsTheExperimentsRunsParamsTagsAndMetricsMlflowWrote() {
        FileStore store = new FileStore(fixture);
        FileStore.Experiment e = store.experimentByName("fixture-experiment").orElseThrow();
        assertEquals("786110699741189628", e.id());
        assertEquals("Default", store.experiment("0").name());
        List<FileStore.Run> runs = store.searchRuns(List.of(e.id()), Map.of());
        assertEquals(3, runs.size());
        FileStore.Run parent = store.run("958a440db5714a1aa2cef54399d84b0a");
        assertEquals("parent-run", parent.info().runName());
        assertEquals(RunStatus.FINISHED, parent.info().status());
        assertEquals("0.01", parent.params().get("learning_rate"));
        assertEquals(List.of(2.5, 1.25, 0.75, 0.5, 0.375),
                store.metricHistory(parent.info().runId(), "loss").stream().map(FileStore.Metric::value).toList());
        assertEquals(4, store.metricHistory(parent.info().runId(), "loss").get(4).step());
        List<FileStore.Run> children = store.searchRuns(List.of(e.id()),
                Map.of("mlflow.parentRunId", parent.info().runId()));
        assertEquals(2, children.size());
        FileStore.Run failed = store.run("e3eb6853a1bb41c6b258ccee71c8910f");
        assertEquals(RunStatus.FAILED, failed.info().status());
        assertEquals(parent.info().runId(), failed.tags().get("mlflow.parentRunId"));
    }

    @Test
    void writesTheSameStructureAsMlflow() throws Exception {
        FileStore store = new FileStore(dir.resolve("ours"));
        String id = store.createExperiment("structure");
        FileStore.RunInfo run = store.createRun(id, "tester", 1_700_000_000_000L, "trial-run", Map.of("k", "v"));
        store.logBatch(run.runId(), List.of(new FileStore.Metric("loss", 2.5, 1_700_000_000_000L, 0),
                new FileStore.Metric("loss", 1e-5, 1_700_000_000_100L, 1)), Map.of("lr", "0.01"), Map.of("t", "x"));
        store.updateRun(run.runId(), RunStatus.FAILED, 1_700_000_001_000L, null);
        assertEquals(store.run(run.runId()).info(), store.runInfo(run.runId()), "a run's info alone reads the same");
        assertEquals(1_700_000_001_000L, store.runInfo(run.runId()).endTime());

        Path theirs = fixture.resolve("786110699741189628");
        Path ours = store.root().resolve(id);
        assertStructure(yaml(theirs.resolve("meta.yaml")), yaml(ours.resolve("meta.yaml")));
        assertEquals(id, yaml(ours.resolve("meta.yaml")).get("experiment_id"), "experiment_id = folder name");
        Map<String, Object> theirRun = yaml(theirs.resolve("e3eb6853a1bb41c6b258ccee71c8910f/meta.yaml"));
        Map<String, Object> ourRun = yaml(ours.resolve(run.runId()).resolve("meta.yaml"));
        assertStructure(theirRun, ourRun);
        assertEquals(4, ourRun.get("status"), "status is MLflow's integer");
        assertEquals("trial-run", Files.readString(ours.resolve(run.runId()).resolve("tags/mlflow.runName")));
        for (String f : List.of("params/lr", "tags/t", "tags/k")) {
            String text = Files.readString(ours.resolve(run.runId()).resolve(f), StandardCharsets.UTF_8);
            assertFalse(text.endsWith("\n"), f + " has no trailing newline");
        }
        assertEquals("0.01", Files.readString(ours.resolve(run.runId()).resolve("params/lr")));
        List<String> lines = Files.readAllLines(ours.resolve(run.runId()).resolve("metrics/loss"));
        assertEquals(List.of("1700000000000 2.5 0", "1700000000100 1e-05 1"), lines);
        for (String line : Files.readAllLines(theirs.resolve("958a440db5714a1aa2cef54399d84b0a/metrics/loss"))) {
            assertTrue(line.matches("\\d+ [-+0-9.e]+ \\d+"), "MLflow's own line shape: " + line);
        }
        assertEquals(Set.of("artifacts", "meta.yaml", "metrics", "params", "tags"), names(ours.resolve(run.runId())));
        assertEquals(names(theirs.resolve("958a440db5714a1aa2cef54399d84b0a")), names(ours.resolve(run.runId())));
        assertTrue(Files.isDirectory(store.root().resolve(".trash")));
        assertEquals("Default", yaml(store.root().resolve("0/meta.yaml")).get("name"));
    }

    @Test
    void aRunsInfoFollowsItsMetaYamlWhenAnotherWriterChangesIt() throws IOException {
        FileStore store = new FileStore(dir.resolve("shared"));
        String id = store.createExperiment("shared");
        String run = store.createRun(id, "u", 1L, "r", Map.of()).runId();
        assertEquals(RunStatus.RUNNING, store.runInfo(run).status());
        assertEquals(RunStatus.RUNNING, store.runInfo(run).status(), "read twice, unchanged");
        Path meta = store.root().resolve(id).resolve(run).resolve("meta.yaml");
        // Another process (MLflow itself, a second store) rewrites the file in place, to the same size, later.
        String text = Files.readString(meta);
        java.nio.file.attribute.FileTime first = Files.getLastModifiedTime(meta);
        Files.writeString(meta, text.replace("status: 1", "status: 4"));
        Files.setLastModifiedTime(meta, java.nio.file.attribute.FileTime.fromMillis(first.toMillis() + 1_000));
        assertEquals(RunStatus.FAILED, store.runInfo(run).status(), "the file as it is now, not as first parsed");
        // ... or replaces it with another file of the same size and modification time.
        Path other = meta.resolveSibling("other.yaml");
        Files.writeString(other, text.replace("status: 1", "status: 5"));
        Files.setLastModifiedTime(other, Files.getLastModifiedTime(meta));
        Files.move(other, meta, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(RunStatus.KILLED, store.runInfo(run).status(), "another file in its place is read");
        store.updateRun(run, RunStatus.FINISHED, 5L, null);
        assertEquals(RunStatus.FINISHED, store.runInfo(run).status());
        assertEquals(5L, store.run(run).info().endTime());
    }

    @Test
    void paramsAreWriteOnceAndKeysMustBeFileNames() {
        FileStore store = new FileStore(dir.resolve("once"));
        String id = store.createExperiment("once");
        String run = store.createRun(id, "u", 1L, "r", Map.of()).runId();
        store.logBatch(run, List.of(), Map.of("lr", "1"), Map.of());
        store.logBatch(run, List.of(), Map.of("lr", "1"), Map.of());
        FileStore.StoreException e = assertThrows(FileStore.StoreException.class,
                () -> store.logBatch(run, List.of(), Map.of("lr", "2"), Map.of()));
        assertEquals("INVALID_PARAMETER_VALUE", e.code());
        assertInstanceOf(FileStore.StoreException.class, assertThrows(RuntimeException.class,
                () -> store.logBatch(run, List.of(), Map.of(), Map.of("../escape", "x"))));
        assertThrows(FileStore.StoreException.class, () -> store.writeArtifact(run, "../../x.txt", new byte[1]));
        assertThrows(FileStore.StoreException.class, () -> store.createExperiment("once"));
    }

    @Test
    void aMetricPointLoggedAgainIsKeptOnceButANewValueForTheSameStepIsAppended() {
        FileStore store = new FileStore(dir.resolve("again"));
        String id = store.createExperiment("again");
        String run = store.createRun(id, "u", 1L, "r", Map.of()).runId();
        List<FileStore.Metric> epochOne = List.of(new FileStore.Metric("loss", 2.5, 1000L, 1),
                new FileStore.Metric("ppl", 12.2, 1000L, 1));
        store.logBatch(run, epochOne, Map.of(), Map.of());
        // The same request again (its answer was lost), and within one batch twice.
        store.logBatch(run, epochOne, Map.of(), Map.of());
        store.logBatch(run, List.of(new FileStore.Metric("loss", 2.0, 2000L, 2),
                new FileStore.Metric("loss", 2.0, 2000L, 2)), Map.of(), Map.of());
        // A new value (or time) for a logged step is a new point.
        store.logBatch(run, List.of(new FileStore.Metric("loss", 1.9, 2001L, 2)), Map.of(), Map.of());
        assertEquals(List.of(2.5, 2.0, 1.9),
                store.metricHistory(run, "loss").stream().map(FileStore.Metric::value).toList());
        assertEquals(List.of(1L, 2L, 2L), store.metricHistory(run, "loss").stream().map(FileStore.Metric::step).toList());
        assertEquals(1, store.metricHistory(run, "ppl").size());
    }

    @Test
    void metricValuesArePrintedAsPythonReprDoes() {
        assertEquals("0.00044", FileStore.format(0.00044));
        assertEquals("1e-05", FileStore.format(1e-5));
        assertEquals("0.0001", FileStore.format(1e-4));
        assertEquals("2.5", FileStore.format(2.5));
        assertEquals("3.0", FileStore.format(3));
        assertEquals("1e+16", FileStore.format(1e16));
        assertEquals("1000000000000000.0", FileStore.format(1e15));
        assertEquals("-1.5e-07", FileStore.format(-1.5e-7));
        assertEquals("nan", FileStore.format(Double.NaN));
        assertEquals("inf", FileStore.format(Double.POSITIVE_INFINITY));
    }

    /** Same keys, and the same value type for every key. */
    private static void assertStructure(Map<String, Object> theirs, Map<String, Object> ours) {
        assertEquals(new TreeSet<>(theirs.keySet()), new TreeSet<>(ours.keySet()));
        for (String k : theirs.keySet()) {
            Object t = theirs.get(k);
            Object o = ours.get(k);
            if (t != null && o != null) {
                assertEquals(t.getClass(), o.getClass(), "type of " + k);
            }
        }
    }

    private static Set<String> names(Path p) throws Exception {
        try (Stream<Path> s = Files.list(p)) {
            return new TreeSet<>(s.map(x -> x.getFileName().toString()).toList());
        }
    }
}
