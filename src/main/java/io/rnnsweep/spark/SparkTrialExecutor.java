package io.rnnsweep.spark;

import io.rnnsweep.execution.TrialExecutor;
import io.rnnsweep.execution.TrialOutcome;
import io.rnnsweep.execution.TrialRunner;
import io.rnnsweep.execution.TrialTask;
import io.rnnsweep.spec.ExecutionMode;
import io.rnnsweep.train.EpochDecision;
import io.rnnsweep.train.EpochListener;
import io.rnnsweep.trial.TrialStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.util.ThreadUtils;
import scala.Function0;
import scala.Function1;
import scala.Function2;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * Runs trials on Spark. Trial-parallel: each trial is a one-task Spark job whose task asks for the trial's
 * CPUs ({@code spark.task.cpus}), with its executor's native thread pools sized to them
 * ({@code spark.executorEnv.OMP_NUM_THREADS}). Data-parallel: the trial's trainer runs on the driver and
 * trains each epoch across every executor slot with dl4j-spark ({@link ShardedEpochFitter}).
 */
public final class SparkTrialExecutor implements TrialExecutor {
    /** How long a cancelled data-parallel trial may take to notice its cancelled Spark job. */
    private static final long CANCEL_GRACE_MILLIS = 60_000;
    private final JavaSparkContext context;
    private final String jobGroup;
    private final ExecutionMode mode;
    private final int cpusPerTrial;
    private final Set<Thread> dataParallel = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Integer> injectedFaults = new ConcurrentHashMap<>();
    private final HadoopCheckpointStore checkpoints;
    private volatile boolean cancelled;
    /** The one-partition RDD whose partition each trial's job computes (the trial travels in the job's function). */
    private final RDD<Integer> slot;

    private SparkTrialExecutor(JavaSparkContext context, String jobGroup, ExecutionMode mode, int cpusPerTrial) {
        this.context = context;
        this.jobGroup = jobGroup;
        this.mode = mode;
        this.cpusPerTrial = cpusPerTrial;
        this.slot = context.parallelize(List.of(0), 1).rdd();
        Map<String, String> hadoop = new java.util.LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : context.getConf().getAllWithPrefix("spark.hadoop.")) {
            hadoop.put(kv._1(), kv._2());
        }
        this.checkpoints = new HadoopCheckpointStore(hadoop);
    }

    /**
     * Starts a Spark context for a sweep.
     *
     * @param master the Spark master URL ({@code local[*]}, {@code spark://host:7077}, ...); null keeps what
     *     spark-submit configured
     * @param sweep the sweep's name, for the application name and the job group
     * @param cpusPerTrial CPUs each trial's task holds
     * @param retries extra attempts of a failed trial task
     * @param mode whether a trial runs in one task (trial-parallel) or across all of them (data-parallel)
     */
    public static SparkTrialExecutor start(String master, String sweep, int cpusPerTrial, int retries,
                                           ExecutionMode mode) {
        SparkConf conf = new SparkConf().setAppName("rnnsweep " + sweep)
                .setIfMissing("spark.ui.showConsoleProgress", "false")
                .set("spark.task.cpus", Integer.toString(cpusPerTrial))
                .set("spark.task.maxFailures", Integer.toString(retries + 1))
                .set("spark.executorEnv.OMP_NUM_THREADS", Integer.toString(cpusPerTrial));
        if (master != null) {
            conf.setMaster(localWithRetries(master, retries));
        }
        JavaSparkContext context = new JavaSparkContext(conf);
        return new SparkTrialExecutor(context, "rnnsweep-" + sweep + "-" + java.util.UUID.randomUUID(), mode,
                cpusPerTrial);
    }

    /** Returns the version of Spark on the classpath. */
    public static String sparkVersion() {
        return org.apache.spark.package$.MODULE$.SPARK_VERSION();
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
        if (mode == ExecutionMode.DATA_PARALLEL) {
            return runDataParallel(task);
        }
        context.setJobGroup(jobGroup, "rnnsweep " + task.sweep(), true);
        String tag = tag(task);
        context.addJobTag(tag);
        try {
            CompletableFuture<TrialOutcome> result = new CompletableFuture<>();
            SimpleFutureAction<BoxedUnit> job = submit(new TrialJob(task, Map.copyOf(injectedFaults), checkpoints,
                    jobGroup), result);
            try {
                return task.timeout().isPresent()
                        ? result.get(task.timeout().get().toMillis(), TimeUnit.MILLISECONDS) : result.get();
            } catch (TimeoutException e) {
                context.cancelJobsWithTag(tag);
                return TrialOutcome.without(task.index(), TrialStatus.KILLED,
                        "timeout: still running after " + task.timeout().get().toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                context.cancelJobsWithTag(tag);
                return TrialOutcome.without(task.index(), TrialStatus.KILLED, "interrupted");
            } catch (ExecutionException e) {
                if (cancelled()) {
                    // Cancelled, or the JVM is exiting (SIGTERM: Spark's own shutdown stopped the context before
                    // the sweep's cancellation came). Its run holds what it trained; wait for the killed task to
                    // stop logging to it first.
                    CANCELLED_HERE.add(jobGroup);
                    awaitTasksEnded(JavaConverters.seqAsJavaList(job.jobIds()), CANCELLED_TASK_END_MILLIS);
                    return TrialOutcome.without(task.index(), TrialStatus.KILLED, "sweep cancelled");
                }
                return TrialOutcome.without(task.index(), TrialStatus.FAILED, String.valueOf(e.getCause()));
            }
        } finally {
            context.removeJobTag(tag);
        }
    }

    /**
     * Submits a trial's one-task Spark job on the one-element RDD every trial job shares, and completes
     * {@code result} with its outcome or its failure. Through {@code SparkContext.submitJob} and a function that is
     * a plain class: {@code parallelize().map().collectAsync()} made two RDDs per trial, each recording its
     * operation scope as JSON, and handed Spark closures that its ClosureCleaner reads the bytecode of, for every
     * trial (about half the driver's cost of a trial's job).
     */
    private SimpleFutureAction<BoxedUnit> submit(TrialJob trial, CompletableFuture<TrialOutcome> result) {
        SimpleFutureAction<BoxedUnit> job = context.sc().submitJob(slot, trial, ONLY_PARTITION,
                (Function2<Object, TrialOutcome, BoxedUnit>) (partition, outcome) -> {
                    result.complete(outcome);
                    return BoxedUnit.UNIT;
                }, (Function0<BoxedUnit>) () -> BoxedUnit.UNIT);
        job.onComplete((Function1<Try<BoxedUnit>, BoxedUnit>) done -> {
            if (done.isFailure()) {
                result.completeExceptionally(done.failed().get());
            }
            return BoxedUnit.UNIT;
        }, ThreadUtils.sameThread());
        return job;
    }

    /** The partitions a trial's job computes: the only one of {@link #slot}. */
    private static final scala.collection.Seq<Object> ONLY_PARTITION =
            JavaConverters.asScalaBuffer(List.<Object>of(0)).toSeq();

    /** A trial's Spark task: trains the trial it carries where the task runs (see {@link #runOnExecutor}). */
    static final class TrialJob extends AbstractFunction1<scala.collection.Iterator<Integer>, TrialOutcome>
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final TrialTask task;
        private final Map<Integer, Integer> faults;
        private final HadoopCheckpointStore store;
        private final String group;

        TrialJob(TrialTask task, Map<Integer, Integer> faults, HadoopCheckpointStore store, String group) {
            this.task = task;
            this.faults = faults;
            this.store = store;
            this.group = group;
        }

        @Override
        public TrialOutcome apply(scala.collection.Iterator<Integer> partition) {
            return runOnExecutor(task, faults, store, group);
        }
    }

    /** How long a cancelled trial's job waits for its killed task to end (it stops after its epoch at most). */
    private static final long CANCELLED_TASK_END_MILLIS = 60_000;

    /** Waits until no task of the job runs any more (a killed task ends after its current epoch), at most so long. */
    private void awaitTasksEnded(List<Object> jobIds, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        org.apache.spark.api.java.JavaSparkStatusTracker tracker = context.statusTracker();
        while (System.currentTimeMillis() < deadline) {
            java.util.concurrent.atomic.AtomicInteger here = RUNNING_HERE.get(jobGroup);
            int active = here == null ? 0 : here.get();
            try {
                for (Object jobId : jobIds) {
                    org.apache.spark.SparkJobInfo info = tracker.getJobInfo((Integer) jobId);
                    if (info == null) {
                        continue;
                    }
                    for (int stageId : info.stageIds()) {
                        org.apache.spark.SparkStageInfo stage = tracker.getStageInfo(stageId);
                        active += stage == null ? 0 : stage.numActiveTasks();
                    }
                }
            } catch (RuntimeException stopped) {
                // The context stopped: only the trials of this JVM count.
            }
            if (active == 0) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String tag(TrialTask task) {
        return "rnnsweep-" + task.id().replace('/', '-');
    }

    /**
     * Trains the trial on the driver, each epoch across all executor slots; on a timeout or a cancelled sweep
     * its Spark jobs are cancelled and it ends KILLED with the epochs it completed.
     */
    private TrialOutcome runDataParallel(TrialTask task) {
        int workers = slots(cpusPerTrial);
        long seed = task.config().seed();
        String tag = tag(task);
        CompletableFuture<TrialOutcome> result = new CompletableFuture<>();
        Thread driver = new Thread(() -> {
            try {
                context.setJobGroup(jobGroup, "rnnsweep " + task.sweep(), true);
                context.addJobTag(tag);
                result.complete(TrialRunner.run(task, cpusPerTrial, new ShardedEpochFitter(context, workers, seed), "",
                        List.of(), checkpoints, 0));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "rnnsweep-data-parallel-" + task.index());
        driver.setDaemon(true);
        dataParallel.add(driver);
        String killed = null;
        try {
            driver.start();
            if (cancelled) {
                driver.interrupt();
            }
            TrialOutcome outcome;
            try {
                outcome = task.timeout().isPresent()
                        ? result.get(task.timeout().get().toMillis(), TimeUnit.MILLISECONDS) : result.get();
            } catch (TimeoutException e) {
                killed = "timeout: still running after " + task.timeout().get().toSeconds() + " s";
                driver.interrupt();
                context.cancelJobsWithTag(tag);
                outcome = result.get(CANCEL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            }
            if (cancelled) {
                killed = "sweep cancelled";
            }
            return killed == null ? outcome : outcome.killed(killed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            driver.interrupt();
            context.cancelJobsWithTag(tag);
            return TrialOutcome.without(task.index(), TrialStatus.KILLED, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return TrialOutcome.without(task.index(), killed != null ? TrialStatus.KILLED : TrialStatus.FAILED,
                    killed != null ? killed : String.valueOf(e.getCause()));
        } finally {
            dataParallel.remove(driver);
        }
    }

    /**
     * The Spark task: runs the trial (or its segment, with checkpoints in {@code store}) on the CPUs this task
     * holds, bound to the GPU it was assigned.
     */
    static TrialOutcome runOnExecutor(TrialTask task, Map<Integer, Integer> faults, HadoopCheckpointStore store) {
        return runOnExecutor(task, faults, store, "");
    }

    /**
     * The sweeps (job groups) cancelled in this JVM. In local mode trials run in the driver's JVM, where a
     * cancelled sweep's trials stop after their epoch even when Spark's own shutdown stopped the context before
     * the cancellation could kill their tasks (its local executor lets running tasks finish).
     */
    private static final java.util.Set<String> CANCELLED_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** How many trials of each sweep (job group) run in this JVM. */
    private static final Map<String, java.util.concurrent.atomic.AtomicInteger> RUNNING_HERE =
            new java.util.concurrent.ConcurrentHashMap<>();

    static TrialOutcome runOnExecutor(TrialTask task, Map<Integer, Integer> faults, HadoopCheckpointStore store,
                                      String group) {
        java.util.concurrent.atomic.AtomicInteger running = RUNNING_HERE.computeIfAbsent(group,
                g -> new java.util.concurrent.atomic.AtomicInteger());
        running.incrementAndGet();
        try {
            return runHere(task, faults, store, group);
        } finally {
            running.decrementAndGet();
        }
    }

    private static TrialOutcome runHere(TrialTask task, Map<Integer, Integer> faults, HadoopCheckpointStore store,
                                        String group) {
        TaskContext ctx = TaskContext.get();
        int cpus = ctx == null ? 1 : ctx.cpus();
        Optional<Integer> gpu = ctx == null ? Optional.empty()
                : GpuBinding.assignedDevice(JavaConverters.mapAsJavaMap(ctx.resources()));
        gpu.ifPresent(GpuBinding::bind);
        List<EpochListener> listeners = new ArrayList<>();
        if (ctx != null) {
            // A killed task (a cancelled sweep or trial) ends after its epoch even when the interrupt of its thread
            // was lost in a library call.
            listeners.add(r -> ctx.isInterrupted() || CANCELLED_HERE.contains(group) ? EpochDecision.STOP
                    : EpochDecision.CONTINUE);
        }
        Integer faultAfter = faults.get(task.index());
        if (faultAfter != null && ctx != null && ctx.attemptNumber() == 0) {
            listeners.add(r -> {
                if (r.epoch() == faultAfter) {
                    throw new InjectedFault("injected fault: first attempt of " + task.id() + " lost after epoch "
                            + faultAfter);
                }
                return EpochDecision.CONTINUE;
            });
        }
        return TrialRunner.run(task, cpus, null, gpu.map(String::valueOf).orElse(""), listeners, store,
                ctx == null ? 0 : ctx.attemptNumber());
    }

    /**
     * Makes the first attempt of a trial's Spark task die after the given epoch, as a lost executor would, so
     * that Spark retries it (tests of retried trials).
     */
    void injectFirstAttemptFault(int trialIndex, int afterEpoch) {
        injectedFaults.put(trialIndex, afterEpoch);
    }

    /** An executor-killing failure: an Error, which the trainer does not catch, and not fatal to the JVM. */
    static final class InjectedFault extends Error {
        private static final long serialVersionUID = 1L;

        InjectedFault(String message) {
            super(message);
        }
    }

    @Override
    public HadoopCheckpointStore checkpoints() {
        return checkpoints;
    }

    @Override
    public void cancelAll() {
        cancelled = true;
        CANCELLED_HERE.add(jobGroup);
        dataParallel.forEach(Thread::interrupt);
        try {
            context.cancelJobGroup(jobGroup);
        } catch (IllegalStateException stopped) {
            // Spark's own shutdown hook stopped the context first (SIGTERM): its jobs were cancelled with it.
        }
    }

    /**
     * Whether the sweep was cancelled, or its Spark context stopped under it (SIGTERM: Spark's own shutdown hook
     * may stop the context before the sweep's cancellation comes; its trials are cancelled all the same).
     */
    @Override
    public boolean cancelled() {
        return cancelled || context.sc().isStopped();
    }

    @Override
    public void close() {
        context.stop();
    }
}
