package io.rnnsweep.spark;

import io.rnnsweep.task.Batch;
import io.rnnsweep.task.Network;
import io.rnnsweep.train.DivergedException;
import io.rnnsweep.train.EpochFitter;
import io.rnnsweep.train.GradientControl;
import io.rnnsweep.train.GradientStats;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Trains a trial's epoch across the cluster with dl4j-spark's {@link ParameterAveragingTrainingMaster}.
 *
 * <p>Each of the trainer's batches is cut into its updates (the windows of truncated BPTT) and each update
 * into one shard of sequences per worker. A round of training gives every worker one shard, one update from
 * the same parameters, and then averages parameters and updater state: with plain SGD and no clipping that
 * is exactly one update with the whole batch's gradient. Hidden state is not carried from one window to the
 * next (each shard starts from zero state), as in d2l's random-sampling iterator. The workers' updates get
 * the seeds' scaling and global-norm clipping from a {@link GradientControl#forShards} copy, whose
 * statistics come back through a Spark accumulator.
 */
final class ShardedEpochFitter implements EpochFitter {
    private static final Pattern DIVERGED = Pattern.compile(
            Pattern.quote(DivergedException.class.getName()) + ": ([^\\n]*)");
    /** How the epoch's shards are cached on the executors (the training master persists them at this level). */
    private static final StorageLevel CACHE = StorageLevel.MEMORY_AND_DISK_SER();
    private final JavaSparkContext context;
    private final int workers;
    private final long seed;
    private int epochs;

    /**
     * Creates the fitter for one trial.
     *
     * @param context the sweep's Spark context
     * @param workers the workers (Spark tasks) training at once, each on its own shard
     * @param seed the trial's seed, from which each epoch's shuffling of shards is derived
     */
    ShardedEpochFitter(JavaSparkContext context, int workers, long seed) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be positive, got " + workers);
        }
        this.context = context;
        this.workers = workers;
        this.seed = seed;
    }

    @Override
    public GradientStats fitEpoch(Network net, List<Batch> batches, GradientControl control) {
        if (net.isGraph()) {
            throw new IllegalStateException("data-parallel training needs a layer-stack network, not a graph");
        }
        epochs++;
        int parts = workers;
        for (Batch b : batches) {
            parts = Math.min(parts, b.sequences());
        }
        List<DataSet> shards = new ArrayList<>();
        int rows = 1;
        for (int p = 0; p < parts; p++) {
            for (Batch b : batches) {
                shards.addAll(shards(b, p, parts));
                rows = Math.max(rows, (b.sequences() + parts - 1) / parts);
            }
        }
        GradientStatsAccumulator stats = new GradientStatsAccumulator();
        context.sc().register(stats, "rnnsweep gradient statistics");
        GradientControl workerControl = control.forShards(batches.get(0), stats::add);
        // Worker p's partition holds shard p of every update, so each of the master's splits (one round of
        // training and averaging) takes one shard from every partition: balanced, and no repartitioning.
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(parts, rows)
                .batchSizePerWorker(rows)
                .averagingFrequency(1)
                .workerPrefetchNumBatches(0)
                .saveUpdater(true)
                .repartionData(Repartition.Never)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(seed * 1_000_003L + epochs)
                .storageLevel(CACHE)
                .build();
        master.setListeners(List.of(workerControl));
        SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(context, net.layers(), master);
        // Cached and cut from its lineage, so the rounds' tasks read the shards from the executors' block
        // stores instead of each carrying its whole partition from the driver.
        JavaRDD<DataSet> data = context.parallelize(shards, parts).persist(CACHE);
        data.rdd().localCheckpoint();
        try {
            data.count();
            spark.fit(data);
        } catch (Exception e) { // Spark's SparkException is checked in Java but thrown undeclared from Scala
            Matcher m = DIVERGED.matcher(String.valueOf(e.getMessage()));
            if (m.find()) {
                throw new DivergedException(m.group(1) + " (on a data-parallel worker)");
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        } finally {
            data.unpersist(false);
        }
        return stats.value();
    }

    /**
     * Returns part {@code part} of {@code parts} of a batch's sequences, cut into one shard per update (the
     * windows of truncated BPTT), in training order.
     */
    static List<DataSet> shards(Batch batch, int part, int parts) {
        if (batch.single() == null) {
            throw new IllegalStateException("data-parallel training needs layer-stack batches");
        }
        org.nd4j.linalg.dataset.api.DataSet data = batch.single();
        int sequences = batch.sequences();
        INDArrayIndex rows = NDArrayIndex.interval((long) sequences * part / parts,
                (long) sequences * (part + 1) / parts);
        List<DataSet> out = new ArrayList<>();
        for (int w = 0; w < batch.updates(); w++) {
            long from = (long) w * batch.stepsPerUpdate();
            INDArrayIndex window = batch.updates() == 1 ? NDArrayIndex.all()
                    : NDArrayIndex.interval(from, from + batch.stepsPerUpdate());
            out.add(new DataSet(slice(data.getFeatures(), rows, window), slice(data.getLabels(), rows, window),
                    slice(data.getFeaturesMaskArray(), rows, window), slice(data.getLabelsMaskArray(), rows, window)));
        }
        return out;
    }

    /** Copies the rows and time window of a [sequences, time] or [sequences, features, time] array. */
    private static INDArray slice(INDArray a, INDArrayIndex rows, INDArrayIndex window) {
        if (a == null) {
            return null;
        }
        return switch (a.rank()) {
            case 2 -> a.get(rows, window).dup();
            case 3 -> a.get(rows, NDArrayIndex.all(), window).dup();
            default -> throw new IllegalStateException("unexpected data rank " + a.rank());
        };
    }
}
