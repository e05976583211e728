package io.rnnsweep.report;

import io.rnnsweep.trial.EpochResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** One trial's learning curve: training and validation loss (or perplexity) per epoch, as a PNG. */
public final class LearningCurve {
    private LearningCurve() {
    }

    /**
     * Draws the curve.
     *
     * @param title the chart's title (the trial's run name)
     * @param epochs the trial's epochs
     * @param perplexity whether to plot perplexity (cross-entropy tasks) rather than loss
     * @return the chart, or null when there are no epochs to draw
     */
    public static XYChart chart(String title, List<EpochResult> epochs, boolean perplexity) {
        if (epochs.isEmpty()) {
            return null;
        }
        String quantity = perplexity ? "perplexity" : "loss";
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("epoch")
                .yAxisTitle(quantity + (perplexity ? " (exp of mean cross-entropy per token)" : " (per the task's objective)"))
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setDecimalPattern("#0.###");
        List<Double> x = new ArrayList<>();
        List<Double> train = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (EpochResult e : epochs) {
            x.add((double) e.epoch());
            train.add(perplexity ? e.trainPerplexity() : e.trainLoss());
            val.add(perplexity ? e.validationPerplexity() : e.validationLoss());
        }
        XYSeries t = chart.addSeries("training " + quantity, x, train);
        t.setMarker(SeriesMarkers.CIRCLE);
        XYSeries v = chart.addSeries("validation " + quantity, x, val);
        v.setMarker(SeriesMarkers.DIAMOND);
        return chart;
    }

    /** Returns the chart as PNG bytes. */
    public static byte[] png(XYChart chart) {
        noImageCacheFiles();
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Keeps ImageIO from caching encoded images in temporary files: its file cache registers a JVM shutdown hook
     * the first time it is used, which fails (and with it the image) when that first time is during shutdown, as
     * when a sweep stopped by SIGTERM writes its report.
     */
    static void noImageCacheFiles() {
        javax.imageio.ImageIO.setUseCache(false);
    }
}
