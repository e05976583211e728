package io.rnnsweep.spark;

import io.rnnsweep.report.Importance;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkContext$;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Parameter importance with spark-mllib: a {@link RandomForestRegressor} of the objective on the swept
 * parameters, fitted in the running Spark context (or a local one the fit starts and stops).
 */
public final class ForestImportance implements Importance.Model {
    /** Trees in the forest. */
    static final int TREES = 200;

    @Override
    public String description() {
        return "random forest regression (spark-mllib RandomForestRegressor, " + TREES + " trees, depth 5)";
    }

    @Override
    public double[] importances(double[][] x, double[] y, long seed) {
        boolean ours = SparkContext$.MODULE$.getActive().isEmpty();
        SparkSession spark = ours
                ? SparkSession.builder().master("local[1]").appName("rnnsweep importance")
                        .config("spark.ui.enabled", "false").getOrCreate()
                : SparkSession.builder().getOrCreate();
        try {
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < y.length; i++) {
                rows.add(RowFactory.create(y[i], Vectors.dense(x[i])));
            }
            StructType schema = new StructType(new StructField[] {
                new StructField("label", DataTypes.DoubleType, false, Metadata.empty()),
                new StructField("features", SQLDataTypes.VectorType(), false, Metadata.empty())});
            Dataset<Row> data = spark.createDataFrame(rows, schema);
            RandomForestRegressionModel model = new RandomForestRegressor().setNumTrees(TREES).setMaxDepth(5)
                    .setMinInstancesPerNode(1).setSeed(seed).setFeatureSubsetStrategy("all").fit(data);
            return model.featureImportances().toArray();
        } finally {
            if (ours) {
                spark.stop();
            }
        }
    }
}
