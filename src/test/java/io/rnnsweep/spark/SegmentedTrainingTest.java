package io.rnnsweep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.execution.Segment;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.execution.TrialRunner;
import io.rnnsweep.execution.TrialTask;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialStatus;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

/**
 * A trial trained in two segments, each a Spark job on a different executor JVM of a local-cluster (two workers,
 * separate processes) with the checkpoint between them on a shared folder, equals the same trial trained in one
 * go.
 */
class SegmentedTrainingTest {
    @TempDir
    Path dir;

    @Test
    void segmentsOnTwoExecutorsTrainExactlyLikeAnUninterruptedRun() throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("hidden", "8");
        options.put("lr", "0.05");
        options.put("epochs", "6");
        options.put("seed", "7");
        Map<TrialOption, String> typed = TrialConfig.options();
        options.forEach((k, v) -> typed.put(TrialOption.byKey(k).orElseThrow(), v));
        TrialTask trial = new TrialTask("segments", 0, Tasks.resolve(TaskName.HELLO, typed), options, 0);

        TrialOutcome whole = TrialRunner.run(trial, 1);
        assertEquals(TrialStatus.FINISHED, whole.status(), whole.cause());

        String checkpoint = dir.resolve("checkpoints/trial-000.zip").toUri().toString();
        HadoopCheckpointStore store = new HadoopCheckpointStore(Map.of());
        try (JavaSparkContext sc = new JavaSparkContext(clusterConf())) {
            List<String> executors = executors(sc);
            assertEquals(2, executors.size(), "two executor JVMs: " + executors);
            TrialOutcome first = runOn(sc, executors.get(0), trial.segment(new Segment(0, 3, checkpoint, false)), store);
            assertEquals(TrialStatus.PAUSED, first.status(), first.cause());
            assertTrue(Files.isRegularFile(dir.resolve("checkpoints/trial-000.zip")), "the paused trial's checkpoint");
            TrialOutcome second = runOn(sc, executors.get(1), trial.segment(new Segment(3, 6, checkpoint, false)), store);
            assertEquals(TrialStatus.FINISHED, second.status(), second.cause());

            long driver = ProcessHandle.current().pid();
            assertNotEquals(first.pid(), second.pid(), "the segments ran in two different executor JVMs");
            assertNotEquals(driver, first.pid());
            assertNotEquals(driver, second.pid());

            List<EpochResult> segmented = new ArrayList<>(first.epochs());
            segmented.addAll(second.epochs());
            assertEquals(List.of(1, 2, 3), first.epochs().stream().map(EpochResult::epoch).toList());
            assertEquals(List.of(4, 5, 6), second.epochs().stream().map(EpochResult::epoch).toList());
            for (int i = 0; i < 6; i++) {
                EpochResult a = whole.epochs().get(i);
                EpochResult b = segmented.get(i);
                // Same build, same native library, one thread: bit for bit, across JVMs.
                assertEquals(a.trainLoss(), b.trainLoss(), "train loss, epoch " + (i + 1));
                assertEquals(a.validationLoss(), b.validationLoss(), "validation loss, epoch " + (i + 1));
                assertEquals(a.gradNormMean(), b.gradNormMean(), "mean gradient norm, epoch " + (i + 1));
            }
            assertEquals(whole.report(), second.report(), "the trained nets answer alike");
        }
    }

    /** A local-cluster of two one-core workers whose executors see this build's classes and JVM flags. */
    private static SparkConf clusterConf() throws Exception {
        Path home = Path.of(System.getenv("SPARK_HOME"));
        Path jars = home.resolve("jars");
        Files.createDirectories(jars);
        List<String> dirs = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                dirs.add(p.toAbsolutePath().toString());
            } else if (entry.endsWith(".jar") && !Files.exists(jars.resolve(p.getFileName()))) {
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
            }
        }
        Path repo = Path.of(System.getProperty("rnnsweep.repo", "."));
        String flags = Files.readAllLines(repo.resolve("jobs/jvm.options")).stream()
                .filter(l -> !l.isBlank() && !l.strip().startsWith("#")).collect(Collectors.joining(" "));
        return new SparkConf().setMaster("local-cluster[2,1,1536]").setAppName("segmented-training-test")
                .set("spark.executor.memory", "1g")
                .set("spark.executor.extraClassPath", String.join(File.pathSeparator, dirs))
                .set("spark.executor.extraJavaOptions", flags)
                .set("spark.executorEnv.OMP_NUM_THREADS", "1")
                .set("spark.locality.wait", "120s")
                .set("spark.ui.enabled", "false")
                .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s");
    }

    /** Returns each executor as Spark's location string {@code executor_<host>_<id>}, found by running tasks on them. */
    private static List<String> executors(JavaSparkContext sc) {
        long deadline = System.currentTimeMillis() + 120_000;
        List<String> found = List.of();
        while (found.size() < 2 && System.currentTimeMillis() < deadline) {
            found = sc.parallelize(List.of(1, 2, 3, 4, 5, 6), 6).map(i -> {
                Thread.sleep(300);
                SparkEnv env = SparkEnv.get();
                return "executor_" + env.blockManager().blockManagerId().host() + "_" + env.executorId();
            }).distinct().collect().stream().sorted().toList();
        }
        return found;
    }

    /** Runs one segment as a one-task job that Spark places on the given executor. */
    private static TrialOutcome runOn(JavaSparkContext sc, String executor, TrialTask task, HadoopCheckpointStore store) {
        var located = JavaConverters.asScalaBuffer(List.of(new Tuple2<>(task,
                JavaConverters.asScalaBuffer(List.of(executor)).toSeq()))).toSeq();
        var rdd = sc.sc().makeRDD(located, ClassTag$.MODULE$.apply(TrialTask.class));
        TrialOutcome out = rdd.toJavaRDD().map(t -> SparkTrialExecutor.runOnExecutor(t, Map.of(), store)).collect().get(0);
        return out;
    }
}
