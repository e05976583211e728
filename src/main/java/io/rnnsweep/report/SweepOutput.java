package io.rnnsweep.report;

import io.rnnsweep.execution.SweepCallback;
import io.rnnsweep.execution.SweepResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sweep's output folder, as a callback of its loop: when the sweep ends, its leaderboard, trials, summary
 * and resolved spec, then {@code report.html} with its plots (a report that cannot be drawn is a warning: the
 * tables hold every result), and a console warning for each rung whose early stopping the report says cannot be
 * trusted.
 */
public final class SweepOutput implements SweepCallback {
    private final Path dir;
    private final List<String> heatmap;
    private final Importance.Model model;
    private final PrintWriter console;
    private final List<Path> files = new ArrayList<>();

    /**
     * Creates the callback.
     *
     * @param dir the output folder
     * @param heatmap the report's heatmap axes, or null for the default
     * @param model the importance model of the report
     * @param console where warnings go
     */
    public SweepOutput(Path dir, List<String> heatmap, Importance.Model model, PrintWriter console) {
        this.dir = dir;
        this.heatmap = heatmap;
        this.model = model;
        this.console = console;
    }

    @Override
    public void sweepEnded(SweepResult result, boolean cancelled) {
        try {
            result.write(dir);
            files.clear();
            files.addAll(List.of(dir.resolve("leaderboard.csv"), dir.resolve("summary.json"),
                    dir.resolve("trials.csv"), dir.resolve("spec.yaml")));
            SweepData data = SweepData.load(dir);
            try {
                files.addAll(SweepReport.write(data, dir, heatmap, model));
            } catch (RuntimeException e) {
                // The tables hold every result; a plot that cannot be drawn must not cost the sweep its end.
                console.println("warning: the report could not be drawn (" + e + "); the tables are in " + dir
                        + ", and `jobs/rnnsweep report " + dir + "` draws it again");
                return;
            }
            RungValidity.of(data).ifPresent(rows -> rows.stream().filter(RungValidity.Row::untrustworthy)
                    .forEach(r -> console.println("warning: " + RungValidity.advice(data, r))));
        } catch (IOException e) {
            throw new UncheckedIOException("writing the sweep's output folder " + dir, e);
        }
    }

    /** Returns the files the sweep's end wrote: its tables, resolved spec and report (the parent run's artifacts). */
    public List<Path> files() {
        return List.copyOf(files);
    }
}
