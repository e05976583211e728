package io.rnnsweep.spark;

import io.rnnsweep.execution.TrialExecutor;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.execution.TrialRunner;
import io.rnnsweep.execution.TrialTask;
import io.rnnsweep.trial.TrialStatus;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import scala.collection.JavaConverters;

/**
 * Runs each trial as a one-task Spark job. The task asks for the trial's CPUs ({@code spark.task.cpus}) and
 * its executor's native thread pools are sized to them ({@code spark.executorEnv.OMP_NUM_THREADS}).
 */
public final class SparkTrialExecutor implements TrialExecutor {
    private final JavaSparkContext context;
    private final String jobGroup;
    private volatile boolean cancelled;

    private SparkTrialExecutor(JavaSparkContext context, String jobGroup) {
        this.context = context;
        this.jobGroup = jobGroup;
    }

    /**
     * Starts a Spark context for a sweep.
     *
     * @param master the Spark master URL ({@code local[*]}, {@code spark://host:7077}, ...); null keeps what
     *     spark-submit configured
     * @param sweep the sweep's name, for the application name and the job group
     * @param cpusPerTrial CPUs each trial's task holds
     * @param retries extra attempts of a failed trial task
     */
    public static SparkTrialExecutor start(String master, String sweep, int cpusPerTrial, int retries) {
        SparkConf conf = new SparkConf().setAppName("rnnsweep " + sweep)
                .setIfMissing("spark.ui.showConsoleProgress", "false")
                .set("spark.task.cpus", Integer.toString(cpusPerTrial))
                .set("spark.task.maxFailures", Integer.toString(retries + 1))
                .set("spark.executorEnv.OMP_NUM_THREADS", Integer.toString(cpusPerTrial));
        if (master != null) {
            conf.setMaster(localWithRetries(master, retries));
        }
        JavaSparkContext context = new JavaSparkContext(conf);
        return new SparkTrialExecutor(context, "rnnsweep-" + sweep + "-" + System.currentTimeMillis());
    }

    /** Local mode ignores spark.task.maxFailures; {@code local[N]} takes them as {@code local[N,F]}. */
    static String localWithRetries(String master, int retries) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)]").matcher(master);
        return m.matches() ? "local[" + m.group(1) + "," + (retries + 1) + "]" : master;
    }

    /** Returns the number of trials the cluster can run at once with the given CPUs per trial. */
    public int slots(int cpusPerTrial) {
        return Math.max(1, context.sc().defaultParallelism() / cpusPerTrial);
    }

    @Override
    public TrialOutcome run(TrialTask task) {
        if (cancelled) {
            return TrialOutcome.without(task.index(), TrialStatus.KILLED, "sweep cancelled before the trial started");
        }
        context.setJobGroup(jobGroup, "rnnsweep " + task.sweep(), true);
        String tag = "rnnsweep-" + task.id().replace('/', '-');
        context.addJobTag(tag);
        try {
            JavaFutureAction<List<TrialOutcome>> job = context.parallelize(List.of(task), 1)
                    .map(SparkTrialExecutor::runOnExecutor).collectAsync();
            try {
                List<TrialOutcome> out = task.timeout().isPresent()
                        ? job.get(task.timeout().get().toMillis(), TimeUnit.MILLISECONDS) : job.get();
                return out.get(0);
            } catch (TimeoutException e) {
                context.cancelJobsWithTag(tag);
                return TrialOutcome.without(task.index(), TrialStatus.KILLED,
                        "timeout: still running after " + task.timeout().get().toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                context.cancelJobsWithTag(tag);
                return TrialOutcome.without(task.index(), TrialStatus.KILLED, "interrupted");
            } catch (ExecutionException e) {
                if (cancelled) {
                    return TrialOutcome.without(task.index(), TrialStatus.KILLED, "sweep cancelled");
                }
                return TrialOutcome.without(task.index(), TrialStatus.FAILED, String.valueOf(e.getCause()));
            }
        } finally {
            context.removeJobTag(tag);
        }
    }

    /** The Spark task: runs the trial on the CPUs this task holds, bound to the GPU it was assigned. */
    static TrialOutcome runOnExecutor(TrialTask task) {
        TaskContext ctx = TaskContext.get();
        int cpus = ctx == null ? 1 : ctx.cpus();
        Optional<Integer> gpu = ctx == null ? Optional.empty()
                : GpuBinding.assignedDevice(JavaConverters.mapAsJavaMap(ctx.resources()));
        gpu.ifPresent(GpuBinding::bind);
        return TrialRunner.run(task, cpus).onGpu(gpu.map(String::valueOf).orElse(""));
    }

    @Override
    public void cancelAll() {
        cancelled = true;
        context.cancelJobGroup(jobGroup);
    }

    @Override
    public void close() {
        context.stop();
    }
}
