package io.rnnsweep.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.HeatMapSeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A sweep's review report: {@code report.html} with its PNG plots beside it — the leaderboard, learning
 * curves, the objective against each swept axis, a heatmap over two axes, gradient health against learning
 * rate and clipping threshold, and parameter importance with correlations.
 */
public final class SweepReport {
    private static final Color BEST = new Color(0x1f, 0x77, 0xb4);
    private static final Color OTHER = new Color(0xb0, 0xb0, 0xb0);
    private static final Color DIVERGED = new Color(0xd6, 0x27, 0x28);
    private static final Color STOPPED = new Color(0xff, 0x7f, 0x0e);
    private static final Color[] HIGHLIGHT = {BEST, new Color(0x2c, 0xa0, 0x2c), new Color(0x94, 0x67, 0xbd)};
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;

    private SweepReport() {
    }

    /**
     * Writes {@code report.html} and its plots into {@code dir} and returns the files written.
     *
     * @param sweep the sweep
     * @param dir its output folder
     * @param heatmap the two axes of the heatmap, or null for the default (lr × hidden when swept, else the
     *     first two axes)
     * @param model the importance model (spark-mllib's random forest)
     */
    public static List<Path> write(SweepData sweep, Path dir, List<String> heatmap, Importance.Model model)
            throws IOException {
        // The importance model (a Spark job) fits on a thread of its own while the plots are drawn.
        java.util.concurrent.CompletableFuture<Optional<Importance>> fitting = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> Importance.of(sweep, model), job -> {
                    Thread t = new Thread(job, "rnnsweep-importance");
                    t.setDaemon(true);
                    t.start();
                });
        Map<String, Chart<?, ?>> charts = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try {
            charts.put("report-curves.png", curves(sweep));
            for (String axis : sweep.axes()) {
                charts.put("report-axis-" + axis + ".png", axis(sweep, axis));
            }
            List<String> pair = heatmap != null ? heatmap : defaultPair(sweep);
            if (pair.size() == 2) {
                Optional<HeatMapChart> map = heatmap(sweep, pair.get(0), pair.get(1));
                if (map.isPresent()) {
                    charts.put("report-heatmap.png", map.get());
                } else {
                    notes.add("no heatmap: no trial reached a value of " + sweep.metric() + " (every trial failed,"
                            + " diverged or was stopped before its first epoch ended)");
                }
            }
            String rateAxis = sweep.axes().contains("lr") ? "lr" : sweep.axes().get(0);
            charts.put("report-clip-rate.png", health(sweep, rateAxis, "clip_rate", "share of updates clipped"));
            String normAxis = sweep.axes().contains("clip") ? "clip" : rateAxis;
            charts.put("report-grad-norm.png", health(sweep, normAxis, "grad_norm_mean",
                    "mean global gradient L2 norm before clipping"));
            for (Map.Entry<String, Chart<?, ?>> c : charts.entrySet()) {
                files.add(save(c.getValue(), dir.resolve(c.getKey())));
            }
        } catch (IOException | RuntimeException e) {
            // The forest's Spark job ends before the failure goes on: a context stopped under it prints traces.
            fitting.handle((done, failed) -> null).join();
            throw e;
        }
        Optional<Importance> importance;
        try {
            importance = fitting.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        String method = model.description();
        if (importance.isPresent()) {
            charts.put("report-importance.png", importanceChart(importance.get()));
            files.add(save(charts.get("report-importance.png"), dir.resolve("report-importance.png")));
        }
        Path html = dir.resolve("report.html");
        Files.writeString(html, html(sweep, charts.keySet(), notes, importance, method), StandardCharsets.UTF_8);
        files.add(0, html);
        return files;
    }

    private static Path save(Chart<?, ?> chart, Path file) throws IOException {
        noImageCacheFiles();
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /**
     * Keeps ImageIO from caching encoded images in temporary files: its file cache registers a JVM shutdown hook
     * the first time it is used, which fails (and with it the image) when that first time is during shutdown, as
     * when a sweep stopped by SIGTERM writes its report.
     */
    private static void noImageCacheFiles() {
        javax.imageio.ImageIO.setUseCache(false);
    }

    static List<String> defaultPair(SweepData sweep) {
        if (sweep.axes().contains("lr") && sweep.axes().contains("hidden")) {
            return List.of("lr", "hidden");
        }
        return sweep.axes().size() >= 2 ? sweep.axes().subList(0, 2) : List.of();
    }

    private static String label(SweepData sweep) {
        return sweep.metric() + " (" + (sweep.minimize() ? "lower" : "higher") + " is better)";
    }

    /** The objective per epoch, a line per trial; the three best highlighted, diverged and stopped ends marked. */
    static XYChart curves(SweepData sweep) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(sweep.name() + ": " + sweep.metric() + " per epoch, one line per trial")
                .xAxisTitle("epoch").yAxisTitle(label(sweep)).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(9);
        List<SweepData.Trial> best = sweep.ranked().stream().limit(3).toList();
        List<SweepData.Trial> order = new ArrayList<>(sweep.trials());
        order.sort(Comparator.comparing(best::contains)); // highlighted lines drawn last, on top
        List<Double> divergedX = new ArrayList<>();
        List<Double> divergedY = new ArrayList<>();
        List<Double> stoppedX = new ArrayList<>();
        List<Double> stoppedY = new ArrayList<>();
        for (SweepData.Trial t : order) {
            double[] y = t.series(sweep.metric());
            double[] x = t.series("epoch");
            if (y.length == 0) {
                continue;
            }
            int rank = best.indexOf(t);
            XYSeries s = chart.addSeries(rank >= 0 ? "#" + (rank + 1) + " " + t.runName() : "trial " + t.index(), x, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(rank >= 0 ? HIGHLIGHT[rank] : OTHER);
            s.setLineWidth(rank >= 0 ? 3f : 1f);
            s.setShowInLegend(rank >= 0);
            if (t.status().equals("DIVERGED") || t.status().equals("KILLED")) {
                (t.status().equals("DIVERGED") ? divergedX : stoppedX).add(x[x.length - 1]);
                (t.status().equals("DIVERGED") ? divergedY : stoppedY).add(y[y.length - 1]);
            }
        }
        long divergedEarly = sweep.trials().stream()
                .filter(t -> t.status().equals("DIVERGED") && t.epochs().isEmpty()).count();
        marks(chart, "diverged here" + (divergedEarly > 0 ? " (+" + divergedEarly + " in epoch 1)" : ""),
                divergedX, divergedY, DIVERGED);
        marks(chart, "stopped here", stoppedX, stoppedY, STOPPED);
        if (divergedEarly > 0 && divergedX.isEmpty()) {
            chart.setTitle(chart.getTitle() + " (" + divergedEarly + " diverged in epoch 1)");
        }
        logYIfWide(chart);
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no trial completed an epoch", new double[] {0}, new double[] {0});
        }
        return chart;
    }

    /** Switches the y axis to a log scale when the values are positive and span two decades or more. */
    private static void logYIfWide(XYChart chart) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (XYSeries series : chart.getSeriesMap().values()) {
            for (double v : series.getYData()) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > 0 && max / min >= 100) {
            chart.getStyler().setYAxisLogarithmic(true);
            chart.setYAxisTitle(chart.getYAxisTitle() + ", log scale");
        }
    }

    private static void marks(XYChart chart, String name, List<Double> x, List<Double> y, Color color) {
        if (x.isEmpty()) {
            return;
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CROSS);
        s.setMarkerColor(color);
    }

    /** The trials' best objective against one swept axis. */
    static XYChart axis(SweepData sweep, String axis) {
        List<SweepData.Trial> ranked = sweep.ranked();
        List<String> values = ranked.stream().map(t -> t.options().get(axis)).toList();
        Placement place = Placement.of(axis, values);
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(sweep.metric() + " against " + axis)
                .xAxisTitle(axis + unit(axis) + place.note()).yAxisTitle("best " + label(sweep)).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setMarkerSize(10);
        place.apply(chart);
        double[] x = place.positions(values);
        double[] y = ranked.stream().mapToDouble(sweep::objective).toArray();
        if (x.length == 0) {
            chart.addSeries("no trial has a value", new double[] {0}, new double[] {0});
        } else {
            chart.addSeries("trials", x, y).setMarkerColor(BEST);
        }
        logYIfWide(chart);
        return chart;
    }

    /**
     * Where an axis's values go on a chart: a few grid values (or words, like {@code lstm} or {@code none}) as
     * evenly spaced ticks labelled with the values; many numbers on a numeric axis, logarithmic for the
     * learning rate or values spanning two decades, with any words among them (a searched clip's {@code none})
     * drawn past the largest number, where the axis title says.
     */
    private record Placement(boolean ordinal, boolean log, List<String> ticks, Map<String, Double> words) {
        static final int MAX_TICKS = 12;

        static Placement of(String axis, List<String> values) {
            NumericAxis n = NumericAxis.of(axis, values);
            if (n == null) {
                return new Placement(true, false, sorted(values.stream().distinct().toList()), Map.of());
            }
            Map<String, Double> words = new LinkedHashMap<>();
            double span = Math.max(n.max() - n.min(), 1e-12);
            for (String w : n.words()) {
                int k = words.size() + 1;
                words.put(w, n.log() ? n.max() * Math.pow(3, k) : n.max() + span * 0.15 * k);
            }
            return new Placement(false, n.log(), List.of(), words);
        }

        String note() {
            if (ordinal) {
                return ", the swept values";
            }
            StringBuilder note = new StringBuilder(log ? ", log scale" : "");
            words.forEach((w, x) -> note.append("; ").append(w).append(" drawn at ")
                    .append(String.format(Locale.ROOT, "%.3g", x)));
            return note.toString();
        }

        void apply(XYChart chart) {
            if (ordinal) {
                chart.getStyler().setXAxisMin(-0.5);
                chart.getStyler().setXAxisMax(ticks.size() - 0.5);
                // XChart drops every label when two are equal, so ticks between values get distinct invisible ones.
                chart.setCustomXAxisTickLabelsFormatter(v -> {
                    int i = (int) Math.round(v);
                    long step = Math.round(v * 100);
                    return Math.abs(v - i) < 1e-9 && i >= 0 && i < ticks.size() ? ticks.get(i)
                            : "\u200B".repeat((int) Math.min(10_000, step >= 0 ? 2 * step + 1 : -2 * step));
                });
            } else {
                chart.getStyler().setXAxisLogarithmic(log);
            }
        }

        double[] positions(List<String> values) {
            return values.stream().mapToDouble(v -> ordinal ? ticks.indexOf(v)
                    : words.containsKey(v) ? words.get(v) : Double.parseDouble(v)).toArray();
        }
    }

    /**
     * The cells of a heatmap's axis: its values when they are few; else {@link #BINS} ranges between the
     * smallest and the largest number (log-spaced where the axis plot is logarithmic), then any words.
     */
    private record Cells(List<String> labels, List<Double> bounds, boolean log) {
        static final int BINS = 8;

        static Cells of(String axis, List<String> values) {
            NumericAxis n = NumericAxis.of(axis, values);
            if (n == null) {
                return new Cells(sorted(values.stream().distinct().toList()), List.of(), false);
            }
            double min = n.min();
            double max = n.max();
            List<Double> bounds = new ArrayList<>();
            for (int k = 0; k <= BINS; k++) {
                bounds.add(n.log() ? min * Math.pow(max / min, (double) k / BINS) : min + (max - min) * k / BINS);
            }
            List<String> labels = new ArrayList<>();
            for (int k = 0; k < BINS; k++) {
                labels.add(String.format(Locale.ROOT, "%.2g-%.2g", bounds.get(k), bounds.get(k + 1)));
            }
            labels.addAll(n.words());
            return new Cells(labels, bounds, n.log());
        }

        String note() {
            return bounds.isEmpty() ? "" : log ? ", in log-spaced ranges" : ", in ranges";
        }

        /** Returns the label of the cell a value falls in. */
        String of(String value) {
            if (bounds.isEmpty() || !Importance.isNumber(value)) {
                return value;
            }
            double v = Double.parseDouble(value);
            int k = 0;
            while (k < BINS - 1 && v > bounds.get(k + 1)) {
                k++;
            }
            return labels.get(k);
        }
    }

    /**
     * An axis of more distinct numbers than a chart has ticks for ({@link Placement#MAX_TICKS}): their range,
     * whether it is drawn on a log scale (the learning rate, or values spanning two decades), and the words among
     * its values (a searched clip's {@code none}), sorted.
     */
    private record NumericAxis(double min, double max, boolean log, List<String> words) {
        /** Returns the axis's numeric range, or null when its values are few enough to be ticks of their own. */
        static NumericAxis of(String axis, List<String> values) {
            List<String> distinct = values.stream().distinct().toList();
            double[] numbers = distinct.stream().filter(Importance::isNumber).mapToDouble(Double::parseDouble)
                    .toArray();
            if (numbers.length <= Placement.MAX_TICKS) {
                return null;
            }
            double min = java.util.Arrays.stream(numbers).min().orElseThrow();
            double max = java.util.Arrays.stream(numbers).max().orElseThrow();
            return new NumericAxis(min, max, min > 0 && (axis.equals("lr") || max / min >= 100),
                    distinct.stream().filter(v -> !Importance.isNumber(v)).sorted().toList());
        }
    }

    private static String unit(String axis) {
        return switch (axis) {
            case "hidden" -> " (units per layer)";
            case "layers" -> " (recurrent layers)";
            case "lr" -> " (learning rate)";
            case "clip" -> " (global L2 norm threshold)";
            case "batch" -> " (sequences)";
            case "seq-len" -> " (steps)";
            case "epochs" -> " (epochs)";
            default -> "";
        };
    }

    /** The best objective over a grid of two axes; empty when no trial reached a value. */
    static Optional<HeatMapChart> heatmap(SweepData sweep, String a, String b) {
        Cells cellsA = Cells.of(a, sweep.trials().stream().map(t -> t.options().get(a)).toList());
        Cells cellsB = Cells.of(b, sweep.trials().stream().map(t -> t.options().get(b)).toList());
        List<String> xs = cellsA.labels();
        List<String> ys = cellsB.labels();
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
                .title("best " + sweep.metric() + " over " + a + " x " + b).xAxisTitle(a + unit(a) + cellsA.note())
                .yAxisTitle(b + unit(b) + cellsB.note()).build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setValueFontColor(Color.BLACK);
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setRangeColors(sweep.minimize()
                ? new Color[] {new Color(0x2c, 0x7b, 0xb6), new Color(0xff, 0xff, 0xbf), new Color(0xd7, 0x19, 0x1c)}
                : new Color[] {new Color(0xd7, 0x19, 0x1c), new Color(0xff, 0xff, 0xbf), new Color(0x2c, 0x7b, 0xb6)});
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            for (int j = 0; j < ys.size(); j++) {
                String xv = xs.get(i);
                String yv = ys.get(j);
                double best = sweep.ranked().stream()
                        .filter(t -> cellsA.of(t.options().get(a)).equals(xv)
                                && cellsB.of(t.options().get(b)).equals(yv))
                        .mapToDouble(sweep::objective).findFirst().orElse(Double.NaN);
                if (Double.isFinite(best)) {
                    cells.add(new Number[] {i, j, fourDigits(best)});
                }
            }
        }
        if (cells.isEmpty()) {
            return Optional.empty();
        }
        HeatMapSeries series = chart.addSeries(sweep.metric(), xs, ys, cells);
        // Colours span the trials that trained to their end: a diverged trial's huge value would wash them out.
        DoubleSummaryStatistics trained = sweep.ranked().stream().filter(t -> !t.status().equals("DIVERGED"))
                .mapToDouble(sweep::objective).filter(Double::isFinite).summaryStatistics();
        if (trained.getCount() >= 2 && trained.getMax() > trained.getMin()) {
            series.setMin(fourDigits(Math.max(series.getMin(), trained.getMin())));
            series.setMax(fourDigits(Math.min(series.getMax(), trained.getMax())));
        }
        boolean huge = cells.stream().anyMatch(c -> Math.abs(c[2].doubleValue()) >= 1e5);
        chart.getStyler().setHeatMapValueDecimalPattern(huge ? "0.###E0" : "0.0###");
        return Optional.of(chart);
    }

    private static double fourDigits(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.4g", v));
    }

    private static List<String> sorted(List<String> values) {
        List<String> out = new ArrayList<>(values);
        if (out.stream().allMatch(Importance::isNumber)) {
            out.sort(Comparator.comparingDouble(Double::parseDouble));
        }
        return out;
    }

    /** A gradient-health measure (mean over each trial's epochs) against an axis; diverged trials in red. */
    static XYChart health(SweepData sweep, String axis, String metric, String what) {
        List<String> values = sweep.trials().stream().map(t -> t.options().get(axis)).toList();
        Placement place = Placement.of(axis, values);
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(what + " against " + axis)
                .xAxisTitle(axis + unit(axis) + place.note()).yAxisTitle(metric + " (mean over epochs)").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        if (metric.equals("clip_rate")) {
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setYAxisMax(1.0);
        }
        place.apply(chart);
        double[] positions = place.positions(values);
        Map<String, List<double[]>> groups = new LinkedHashMap<>();
        for (int i = 0; i < sweep.trials().size(); i++) {
            SweepData.Trial t = sweep.trials().get(i);
            double y = t.mean(metric);
            double x = positions[i];
            String group = t.status().equals("DIVERGED") ? "diverged" : "trained";
            if (Double.isFinite(y)) {
                groups.computeIfAbsent(group, k -> new ArrayList<>()).add(new double[] {x, y});
            }
        }
        for (Map.Entry<String, List<double[]>> g : groups.entrySet()) {
            XYSeries s = chart.addSeries(g.getKey(), g.getValue().stream().mapToDouble(p -> p[0]).toArray(),
                    g.getValue().stream().mapToDouble(p -> p[1]).toArray());
            s.setMarkerColor(g.getKey().equals("diverged") ? DIVERGED : BEST);
            s.setMarker(g.getKey().equals("diverged") ? SeriesMarkers.CROSS : SeriesMarkers.CIRCLE);
        }
        if (groups.isEmpty()) {
            chart.addSeries("no gradient statistics", new double[] {0}, new double[] {0});
        }
        if (!metric.equals("clip_rate")) {
            logYIfWide(chart);
        }
        return chart;
    }

    /** The importance of each parameter, as bars. */
    static CategoryChart importanceChart(Importance importance) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("parameter importance (random forest, " + importance.trials() + " trials)")
                .xAxisTitle("swept parameter").yAxisTitle("importance (share of the forest's variance reduction)")
                .build();
        chart.getStyler().setLegendVisible(false);
        chart.addSeries("importance", importance.parameters(),
                importance.parameters().stream().map(p -> (Number) importance.importance().get(p)).toList())
                .setFillColor(BEST);
        return chart;
    }

    private static String html(SweepData sweep, java.util.Collection<String> images, List<String> notes,
                               Optional<Importance> importance, String method) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(sweep.name()))
                .append(" - rnnsweep report</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1000px}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
                        + "th{background:#eee}img{max-width:100%;border:1px solid #ddd;margin:1em 0}</style></head><body>\n");
        h.append("<h1>Sweep ").append(esc(sweep.name())).append("</h1>\n<p>task <b>").append(esc(sweep.task()))
                .append("</b>, objective <b>").append(esc(label(sweep))).append("</b>, ")
                .append(sweep.trials().size()).append(" trials: ");
        Map<String, Long> counts = new LinkedHashMap<>();
        sweep.trials().forEach(t -> counts.merge(t.status(), 1L, Long::sum));
        h.append(esc(counts.toString())).append("</p>\n<h2>Leaderboard</h2>\n<table><tr><th>rank</th><th>trial</th><th>run</th>");
        sweep.axes().forEach(a -> h.append("<th>").append(esc(a)).append("</th>"));
        h.append("<th>").append(esc(sweep.metric())).append("</th><th>status</th></tr>\n");
        List<SweepData.Trial> ranked = sweep.ranked();
        List<SweepData.Trial> rows = new ArrayList<>(ranked);
        sweep.trials().stream().filter(t -> !ranked.contains(t)).forEach(rows::add);
        for (int i = 0; i < Math.min(rows.size(), 20); i++) {
            SweepData.Trial t = rows.get(i);
            double v = sweep.objective(t);
            h.append("<tr><td>").append(Double.isFinite(v) ? Integer.toString(i + 1) : "-").append("</td><td>")
                    .append(t.index()).append("</td><td>").append(esc(t.runName())).append("</td>");
            sweep.axes().forEach(a -> h.append("<td>").append(esc(t.options().get(a))).append("</td>"));
            h.append("<td>").append(Double.isFinite(v) ? String.format(Locale.ROOT, "%.5g", v) : "-")
                    .append("</td><td>").append(esc(t.status())).append("</td></tr>\n");
        }
        h.append("</table>\n");
        for (String img : images) {
            if (img.equals("report-importance.png")) {
                continue;
            }
            h.append("<img src=\"").append(img).append("\" alt=\"").append(img).append("\">\n");
        }
        notes.forEach(n -> h.append("<p>").append(esc(n)).append("</p>\n"));
        RungValidity.of(sweep).ifPresent(validity -> {
            SweepData.Stopping stopping = sweep.stopping().orElseThrow();
            h.append("<h2>Early-stopping validity</h2>\n<p>").append(esc(stopping.algorithm()))
                    .append(": at each rung, Spearman's rank correlation between ").append(esc(sweep.metric()))
                    .append(" there and the final objective, over the trials trained to the end (")
                    .append(stopping.maxEpochs()).append(" epochs). Below ").append(RungValidity.WARN_BELOW)
                    .append(", the rung ranked trials by something other than where they end up.</p>\n"
                            + "<table><tr><th>rung (epoch)</th><th>trials</th><th>rank correlation</th></tr>\n");
            for (RungValidity.Row r : validity) {
                h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%s</td></tr>%n", r.rung(),
                        r.trials(), Double.isNaN(r.correlation()) ? "- (fewer than " + RungValidity.MIN_TRIALS
                                + " trials)" : String.format(Locale.ROOT, "%+.2f", r.correlation())));
            }
            h.append("</table>\n");
            validity.stream().filter(RungValidity.Row::untrustworthy).forEach(r -> h.append("<p><b>Warning:</b> ")
                    .append(esc(RungValidity.advice(sweep, r))).append("</p>\n"));
        });
        h.append("<h2>Parameter importance</h2>\n");
        if (importance.isPresent()) {
            Importance i = importance.get();
            h.append("<img src=\"report-importance.png\" alt=\"importance\">\n<table><tr><th>parameter</th>"
                    + "<th>importance</th><th>rank correlation with ").append(esc(sweep.metric())).append("</th></tr>\n");
            for (String p : i.parameters()) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.3f</td><td>%+.3f</td></tr>%n", esc(p),
                        i.importance().get(p), i.correlation().get(p)));
            }
            h.append("</table>\n<p>Importance: ").append(esc(method)).append(", of each trial's best objective on"
                    + " the swept parameters. Correlation: Spearman's rank correlation.</p>\n");
        } else {
            h.append("<p>Too few finished trials for an importance ranking: ").append(sweep.ranked().size())
                    .append(" with an objective value, at least ").append(Importance.MIN_TRIALS)
                    .append(" needed (and a parameter that varies among them).</p>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
