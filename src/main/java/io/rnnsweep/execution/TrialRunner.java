package io.rnnsweep.execution;

import io.rnnsweep.task.Tasks;
import io.rnnsweep.train.EpochFitter;
import io.rnnsweep.train.Trainer;
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
import java.util.Map;

/** Runs one trial in this process, where an executor received it, on the given number of threads. */
public final class TrialRunner {
    private TrialRunner() {
    }

    /** Rebuilds the trial's configuration and trains it; any failure comes back as a FAILED outcome. */
    public static TrialOutcome run(TrialTask task, int threads) {
        return run(task, threads, null);
    }

    /**
     * Rebuilds the trial's configuration and trains it with the given epoch fitter (null: in this thread); any
     * failure comes back as a FAILED outcome.
     */
    public static TrialOutcome run(TrialTask task, int threads, EpochFitter fitter) {
        long t0 = System.nanoTime();
        String host = hostName();
        long pid = ProcessHandle.current().pid();
        try {
            Map<TrialOption, String> options = TrialConfig.options();
            task.options().forEach((k, v) -> options.put(TrialOption.byKey(k).orElseThrow(), v));
            options.put(TrialOption.THREADS, Integer.toString(threads));
            TrialConfig config = Tasks.resolve(TaskName.parse(task.task()), options);
            Trainer trainer = new Trainer(config);
            if (fitter != null) {
                trainer.fitter(fitter);
            }
            TrialResult r = trainer.run();
            return new TrialOutcome(task.index(), r.status(), r.epochs(), r.report(), r.cause().orElse(""), host, pid,
                    (System.nanoTime() - t0) / 1e9, "");
        } catch (InvalidOptionException | IllegalStateException e) {
            return new TrialOutcome(task.index(), TrialStatus.FAILED, java.util.List.of(), java.util.List.of(),
                    stackTrace(e), host, pid, (System.nanoTime() - t0) / 1e9, "");
        }
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
