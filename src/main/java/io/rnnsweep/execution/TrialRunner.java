package io.rnnsweep.execution;

import io.rnnsweep.task.LossKind;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.tracking.PendingBatch;
import io.rnnsweep.tracking.TrialRun;
import io.rnnsweep.train.EpochFitter;
import io.rnnsweep.train.EpochListener;
import io.rnnsweep.train.Trainer;
import io.rnnsweep.trial.EpochResult;
import io.rnnsweep.trial.InvalidOptionException;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import io.rnnsweep.trial.TrialResult;
import io.rnnsweep.trial.TrialStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs one trial in this process, where an executor received it, on the given number of threads. */
public final class TrialRunner {
    private TrialRunner() {
    }

    /** Rebuilds the trial's configuration and trains it; any failure comes back as a FAILED outcome. */
    public static TrialOutcome run(TrialTask task, int threads) {
        return run(task, threads, null, "", List.of());
    }

    /**
     * Rebuilds the trial's configuration and trains it with the given epoch fitter (null: in this thread),
     * logging it to its MLflow run when the task is tracked; any failure comes back as a FAILED outcome.
     *
     * @param gpu the GPU device the trial is bound to, empty on CPU
     * @param listeners more listeners of the trial's epochs
     */
    public static TrialOutcome run(TrialTask task, int threads, EpochFitter fitter, String gpu,
                                   List<EpochListener> listeners) {
        long t0 = System.nanoTime();
        String host = hostName();
        long pid = ProcessHandle.current().pid();
        TrialRun tracked = null;
        if (task.tracking() != null) {
            try {
                tracked = TrialRun.open(task.tracking(), where(host, pid, gpu));
            } catch (RuntimeException e) {
                // Train anyway: the driver creates the run from the outcome when the trial comes back.
                System.err.println("rnnsweep: " + task.id() + " trains untracked for now: " + e);
            }
        }
        TrialStatus status = TrialStatus.FAILED;
        List<EpochResult> epochs = List.of();
        List<String> report = List.of();
        String cause;
        boolean perplexity = false;
        try {
            Map<TrialOption, String> options = TrialConfig.options();
            task.options().forEach((k, v) -> options.put(TrialOption.byKey(k).orElseThrow(), v));
            options.put(TrialOption.THREADS, Integer.toString(threads));
            TrialConfig config = Tasks.resolve(TaskName.parse(task.task()), options);
            perplexity = Tasks.get(config.task()).loss() == LossKind.CROSS_ENTROPY;
            Trainer trainer = new Trainer(config);
            if (fitter != null) {
                trainer.fitter(fitter);
            }
            if (tracked != null) {
                trainer.listener(tracked);
            }
            listeners.forEach(trainer::listener);
            TrialResult r = trainer.run();
            status = r.status();
            epochs = r.epochs();
            report = r.report();
            cause = r.cause().orElse("");
        } catch (InvalidOptionException | IllegalStateException e) {
            cause = stackTrace(e);
        }
        List<PendingBatch> unsent = List.of();
        if (tracked != null) {
            try {
                unsent = tracked.finish(status, cause, report, perplexity);
            } catch (RuntimeException e) {
                System.err.println("rnnsweep: " + task.id() + ": ending its run failed, the driver retries: " + e);
            }
        }
        return new TrialOutcome(task.index(), status, epochs, report, cause, host, pid,
                (System.nanoTime() - t0) / 1e9, gpu, unsent);
    }

    /** Returns the tags that say where a trial attempt ran. */
    public static Map<String, String> where(String host, long pid, String gpu) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("rnnsweep.host", host);
        m.put("rnnsweep.pid", Long.toString(pid));
        m.put("rnnsweep.gpu", gpu.isEmpty() ? "none" : gpu);
        return m;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
