package io.rnnsweep.execution;

import io.rnnsweep.spec.SweepSpec;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The console's progress lines: one per trial that came back (done / running / failed of total, best objective
 * so far, ETA), or under an early-stopping scheduler one per segment (the trial's rung, value and fate, then the
 * sweep's counts).
 */
public final class ConsoleProgress implements SweepCallback {
    private final SweepSpec spec;
    private final PrintWriter out;

    /** Creates the progress lines of {@code spec}'s sweep, printed to {@code out}. */
    public ConsoleProgress(SweepSpec spec, PrintWriter out) {
        this.spec = spec;
        this.out = out;
    }

    @Override
    public void progress(SweepProgress p) {
        String metric = spec.objective().metric();
        if (spec.scheduler().segmented()) {
            out.printf(Locale.ROOT, "[%s] %s rung %d: %s %s -> %s | %d/%d started, %d running, %d paused, %d stopped,"
                            + " %d finished, %d failed/diverged | %d epochs | best %s %s | elapsed %s%n",
                    spec.name(), p.trial(), p.epochs(), metric, fmt(p.value()), p.state(), p.started(), p.total(),
                    p.running(), p.paused(), p.stopped(), p.finished(), p.failed(), p.sweepEpochs(), metric,
                    fmt(p.best()), clock(p.elapsedSeconds()));
        } else {
            double eta = p.elapsedSeconds() / p.done() * (p.total() - p.done());
            out.printf(Locale.ROOT, "[%s] %d/%d done, %d running, %d failed/diverged | best %s %s | elapsed %s, ETA %s%n",
                    spec.name(), p.done(), p.total(), p.running(), p.failed(), metric, fmt(p.best()),
                    clock(p.elapsedSeconds()), clock(eta));
        }
        out.flush();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.5g", v);
    }

    /** Returns a duration the way the progress lines show it: {@code 42s}, {@code 4m10s}, {@code 2h05m}. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
