package io.rnnsweep.spark;

import io.rnnsweep.report.Importance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.regression.LabeledPoint;
import org.apache.spark.mllib.tree.RandomForest;
import org.apache.spark.mllib.tree.model.DecisionTreeModel;
import org.apache.spark.mllib.tree.model.Node;
import org.apache.spark.mllib.tree.model.RandomForestModel;
import org.apache.spark.mllib.tree.model.Split;
import org.apache.spark.storage.BlockId;

/**
 * Parameter importance with spark-mllib: a random forest regression of the objective on the swept parameters
 * ({@link RandomForest#trainRegressor}, on an RDD: no Spark SQL query to plan and compile, which took seconds of
 * a small sweep's report), fitted in the running Spark context (or a local one the fit starts and stops). A
 * parameter's importance is the variance its splits remove, each split weighted by the trials that reach it,
 * normalised per tree and averaged over the forest (the mean decrease in impurity, Breiman 2001).
 */
public final class ForestImportance implements Importance.Model {
    /** Trees in the forest. */
    static final int TREES = 200;
    /** Depth of each tree. */
    static final int DEPTH = 5;

    @Override
    public String description() {
        return "random forest regression (spark-mllib RandomForest, " + TREES + " trees, depth " + DEPTH
                + "; mean decrease in variance)";
    }

    @Override
    public double[] importances(double[][] x, double[] y, long seed) {
        boolean ours = SparkContext$.MODULE$.getActive().isEmpty();
        JavaSparkContext sc = ours
                ? new JavaSparkContext(new SparkConf().setMaster("local[1]").setAppName("rnnsweep importance")
                        .set("spark.ui.enabled", "false"))
                : JavaSparkContext.fromSparkContext(SparkContext.getOrCreate());
        try {
            List<LabeledPoint> points = new ArrayList<>();
            for (int i = 0; i < y.length; i++) {
                points.add(new LabeledPoint(y[i], Vectors.dense(x[i])));
            }
            RandomForestModel forest = RandomForest.trainRegressor(sc.parallelize(points, 1), new HashMap<>(), TREES,
                    "all", "variance", DEPTH, 32, (int) seed);
            settle(sc.sc());
            int features = x.length == 0 ? 0 : x[0].length;
            double[] total = new double[features];
            for (DecisionTreeModel tree : forest.trees()) {
                double[] decrease = new double[features];
                for (double[] row : x) {
                    Node node = tree.topNode();
                    while (!node.isLeaf()) {
                        Split split = node.split().get();
                        decrease[split.feature()] += node.stats().get().gain();
                        node = goesLeft(split, row[split.feature()]) ? node.leftNode().get() : node.rightNode().get();
                    }
                }
                double sum = java.util.Arrays.stream(decrease).sum();
                for (int j = 0; j < features && sum > 0; j++) {
                    total[j] += decrease[j] / sum;
                }
            }
            double sum = java.util.Arrays.stream(total).sum();
            for (int j = 0; j < features && sum > 0; j++) {
                total[j] /= sum;
            }
            return total;
        } finally {
            if (ours) {
                sc.stop();
            }
        }
    }

    /**
     * Waits (at most 2 s) until Spark has removed the forest's cached input, which it does asynchronously after
     * the fit: a context stopped while that removal is in flight (the sweep's, when it ends right after its
     * report) prints a stack trace from Spark's block manager.
     */
    private static void settle(SparkContext sc) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        scala.Function1<BlockId, Object> cached = BlockId::isRDD;
        try {
            while (!sc.env().blockManager().master().getMatchingBlockIds(cached, true).isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(100); // the removal's last callbacks, after its blocks are gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns whether a value goes to a split's left child, as the tree's own prediction routes it (every
     * feature is continuous: the forest is given no categorical ones).
     */
    private static boolean goesLeft(Split split, double value) {
        return value <= split.threshold();
    }
}
