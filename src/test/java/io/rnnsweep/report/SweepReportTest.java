package io.rnnsweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.spark.ForestImportance;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

/** The review report on synthetic sweeps whose answers are known. */
class SweepReportTest {
    @TempDir
    Path dir;

    /**
     * A 3 x 3 x 3 grid over lr, hidden and clip where validation perplexity depends strongly on lr, a little
     * on hidden and not at all on clip; at lr 10 and hidden 8, the trial without clipping diverges in epoch 2
     * and the one clipped at 0.1 in epoch 1.
     */
    static SweepData planted(int trialsWanted) {
        List<SweepData.Trial> trials = new ArrayList<>();
        SplittableRandom noise = new SplittableRandom(7);
        String[] lrs = {"0.1", "1", "10"};
        String[] hiddens = {"8", "64", "512"};
        String[] clips = {"0.1", "1", "none"};
        int index = 0;
        for (String lr : lrs) {
            for (String hidden : hiddens) {
                for (String clip : clips) {
                    if (index >= trialsWanted) {
                        break;
                    }
                    Map<String, String> options = new LinkedHashMap<>();
                    options.put("lr", lr);
                    options.put("hidden", hidden);
                    options.put("clip", clip);
                    boolean explodes = lr.equals("10") && hidden.equals("8");
                    int trained = !explodes ? 5 : clip.equals("none") ? 1 : clip.equals("0.1") ? 0 : 5;
                    boolean diverges = trained < 5;
                    double target = 4 + 3 * Math.log10(Double.parseDouble(lr))
                            - 0.3 * Math.log10(Double.parseDouble(hidden)) + 0.05 * noise.nextDouble();
                    List<Map<String, Double>> epochs = new ArrayList<>();
                    for (int e = 1; e <= trained; e++) {
                        Map<String, Double> m = new LinkedHashMap<>();
                        m.put("epoch", (double) e);
                        m.put("val_perplexity", target + 4.0 / e);
                        m.put("clip_rate", clip.equals("none") ? 0 : Math.min(1, Double.parseDouble(lr) / 10));
                        m.put("grad_norm_mean", Double.parseDouble(lr) * 2);
                        epochs.add(m);
                    }
                    trials.add(new SweepData.Trial(index++, "tm-h" + hidden + "-lr" + lr + "-clip" + clip, options,
                            diverges ? "DIVERGED" : "FINISHED", epochs));
                }
            }
        }
        return new SweepData("planted", "timemachine", "val_perplexity", true, List.of("lr", "hidden", "clip"), trials);
    }

    /**
     * A searched sweep as TPE or random search makes it: 60 trials, lr log-uniform, clip log-uniform or
     * {@code none}, hidden from a list.
     */
    static SweepData searched() {
        List<SweepData.Trial> trials = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(11);
        String[] hiddens = {"64", "128", "256"};
        for (int i = 0; i < 60; i++) {
            double lr = 0.05 * Math.pow(400, random.nextDouble());
            String clip = random.nextInt(4) == 0 ? "none" : String.valueOf(0.05 * Math.pow(200, random.nextDouble()));
            Map<String, String> options = new LinkedHashMap<>();
            options.put("hidden", hiddens[random.nextInt(3)]);
            options.put("lr", String.valueOf(lr));
            options.put("clip", clip);
            List<Map<String, Double>> epochs = new ArrayList<>();
            for (int e = 1; e <= 3; e++) {
                epochs.add(Map.of("epoch", (double) e, "val_perplexity", 10 + Math.abs(Math.log(lr)) + 2.0 / e,
                        "clip_rate", 0.5, "grad_norm_mean", lr));
            }
            trials.add(new SweepData.Trial(i, "t" + i, options, "FINISHED", epochs));
        }
        return new SweepData("searched", "timemachine", "val_perplexity", true, List.of("hidden", "lr", "clip"),
                trials);
    }

    @Test
    void searchedAxesOfManyNumbersAndAWordArePlottedOnANumericAxisAndBinnedInTheHeatmap() throws Exception {
        SweepData sweep = searched();
        List<Path> files = SweepReport.write(sweep, dir, List.of("lr", "clip"), new ForestImportance());
        assertTrue(files.stream().anyMatch(f -> f.endsWith("report-axis-clip.png")), files.toString());
        XYChart clip = SweepReport.axis(sweep, "clip");
        assertTrue(clip.getStyler().isXAxisLogarithmic(), "clip spans two decades: log scale");
        String title = clip.getXAxisTitle();
        assertTrue(title.startsWith("clip (global L2 norm threshold), log scale; none drawn at "), title);
        double noneAt = Double.parseDouble(title.substring(title.lastIndexOf(' ') + 1));
        double largest = sweep.trials().stream().map(t -> t.options().get("clip")).filter(v -> !v.equals("none"))
                .mapToDouble(Double::parseDouble).max().orElseThrow();
        assertTrue(noneAt > largest, "none is drawn past the largest threshold " + largest + ": " + title);
        double[] xs = clip.getSeriesMap().get("trials").getXData();
        assertEquals(60, xs.length);
        long atNone = sweep.ranked().stream().filter(t -> t.options().get("clip").equals("none")).count();
        assertTrue(atNone > 0);
        assertEquals(atNone, java.util.Arrays.stream(xs).filter(x -> Math.abs(x - noneAt) < 1e-3 * noneAt).count());
        org.knowm.xchart.HeatMapChart map = SweepReport.heatmap(sweep, "lr", "clip").orElseThrow();
        org.knowm.xchart.HeatMapSeries cells = map.getSeriesMap().values().iterator().next();
        assertEquals(8, cells.getXData().size(), "60 learning rates in 8 ranges: " + cells.getXData());
        assertEquals(9, cells.getYData().size(), "clip: 8 ranges and none: " + cells.getYData());
        assertEquals("none", cells.getYData().get(8));
        assertEquals("lr (learning rate), in log-spaced ranges", map.getXAxisTitle());
    }

    @Test
    void importanceRanksThePlantedStrongParameterFirst() {
        Importance i = Importance.of(planted(27), new ForestImportance()).orElseThrow();
        assertEquals("lr", i.parameters().get(0), i.toString());
        assertTrue(i.importance().get("lr") > 0.6, i.toString());
        assertTrue(i.importance().get("clip") < 0.1, "clip does not matter here: " + i);
        assertEquals(1.0, i.importance().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        assertTrue(i.correlation().get("lr") > 0.8, "higher lr, higher perplexity here: " + i);
        assertTrue(i.correlation().get("hidden") < 0, "more hidden units, lower perplexity: " + i);
    }

    @Test
    void tooFewTrialsGiveNoRankingAndTheReportSaysSo() throws Exception {
        SweepData few = planted(Importance.MIN_TRIALS - 1);
        assertEquals(Optional.empty(), Importance.of(few, (x, y, seed) -> {
            throw new AssertionError("no model is fitted on too few trials");
        }));
        List<Path> files = SweepReport.write(few, dir, null, new ForestImportance());
        String html = Files.readString(files.get(0));
        assertTrue(html.contains("Too few finished trials for an importance ranking: 7 with an objective value"), html);
        assertFalse(Files.exists(dir.resolve("report-importance.png")));
    }

    @Test
    void reportHasEveryPlotWithLabelledAxesAndTheRightSeries() throws Exception {
        SweepData sweep = planted(27);
        List<Path> files = SweepReport.write(sweep, dir, null, new ForestImportance());
        assertEquals(dir.resolve("report.html"), files.get(0));
        List<String> names = files.stream().map(f -> f.getFileName().toString()).toList();
        assertEquals(List.of("report.html", "report-curves.png", "report-axis-lr.png", "report-axis-hidden.png",
                "report-axis-clip.png", "report-heatmap.png", "report-clip-rate.png", "report-grad-norm.png",
                "report-importance.png"), names);
        for (Path png : files.subList(1, files.size())) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(900, image.getWidth(), png.toString());
            assertTrue(Files.size(png) > 10_000, "a drawn plot, not a blank: " + png + " " + Files.size(png));
        }
        XYChart curves = SweepReport.curves(sweep);
        // 26 trials with epochs (one diverged in epoch 1), plus the mark of where the other diverged.
        assertEquals(27, curves.getSeriesMap().size(), curves.getSeriesMap().keySet().toString());
        assertTrue(curves.getSeriesMap().containsKey("diverged here (+1 in epoch 1)"), curves.getSeriesMap().keySet().toString());
        assertEquals(3, curves.getSeriesMap().values().stream().filter(s -> s.isShowInLegend()
                && s.getName().startsWith("#")).count(), "the three best are highlighted in the legend");
        assertEquals("epoch", curves.getXAxisTitle());
        assertEquals("val_perplexity (lower is better)", curves.getYAxisTitle());
        SweepData wide = new SweepData("w", "sine", "test_mse", true, List.of("lr"), List.of(
                new SweepData.Trial(0, "a", Map.of("lr", "1"), "FINISHED", List.of(Map.of("epoch", 1.0, "test_mse", 1e-3))),
                new SweepData.Trial(1, "b", Map.of("lr", "1e6"), "FINISHED", List.of(Map.of("epoch", 1.0, "test_mse", 1e9)))));
        assertTrue(SweepReport.curves(wide).getStyler().isYAxisLogarithmic(), "twelve decades apart: log scale");
        assertEquals("test_mse (lower is better), log scale", SweepReport.curves(wide).getYAxisTitle());
        XYChart lr = SweepReport.axis(sweep, "lr");
        assertEquals("lr (learning rate), the swept values", lr.getXAxisTitle());
        assertEquals("best val_perplexity (lower is better)", lr.getYAxisTitle(), "perplexities within two decades: linear");
        XYChart norm = SweepReport.health(sweep, "clip", "grad_norm_mean", "gradient norm");
        assertEquals(java.util.Set.of("trained", "diverged"), norm.getSeriesMap().keySet());
        assertEquals("clip (global L2 norm threshold), the swept values", norm.getXAxisTitle());
        String html = Files.readString(files.get(0));
        for (String n : names.subList(1, names.size())) {
            assertTrue(html.contains("src=\"" + n + "\""), n);
        }
        assertTrue(html.contains("<td>lr</td>"), "the importance table lists lr");
        assertEquals(List.of("lr", "hidden"), SweepReport.defaultPair(sweep));
    }

    /**
     * Ten trials trained to 9 epochs under ASHA (rungs 1 and 3): at epoch 3 they rank as they end; at epoch 1 the
     * order is reversed when {@code crossing} (fast starters that stall), else kept.
     */
    private static SweepData stopped(boolean crossing) {
        List<SweepData.Trial> trials = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            List<Map<String, Double>> epochs = new ArrayList<>();
            for (int e = 1; e <= 9; e++) {
                double end = 1 + 0.1 * i;
                double value = e == 1 ? (crossing ? 5 - 0.1 * i : 5 + 0.1 * i) : end + 1.0 / e;
                epochs.add(new LinkedHashMap<>(Map.of("epoch", (double) e, "val_loss", value)));
            }
            trials.add(new SweepData.Trial(i, "t" + i, Map.of("lr", Integer.toString(i)), "FINISHED", epochs));
        }
        return new SweepData("stopped", "hello", "val_loss", true, List.of("lr"), trials,
                Optional.of(new SweepData.Stopping("asha", 9, 1, List.of(1, 3))));
    }

    @Test
    void earlyStoppingValidityTableWarnsWhereARungRanksTrialsUnlikeTheirEnd() throws Exception {
        List<RungValidity.Row> rows = RungValidity.of(stopped(true)).orElseThrow();
        assertEquals(List.of(1, 3), rows.stream().map(RungValidity.Row::rung).toList());
        assertEquals(-1.0, rows.get(0).correlation(), 1e-9, "epoch 1 ranks them backwards");
        assertEquals(1.0, rows.get(1).correlation(), 1e-9);
        assertTrue(rows.get(0).untrustworthy() && !rows.get(1).untrustworthy());
        SweepReport.write(stopped(true), dir, null, new ForestImportance());
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("Early-stopping validity"), html);
        assertTrue(html.contains("early stopping at epoch 1 ranked trials by something other than where they end up"
                + " (rank correlation -1.00 over 10 trials trained to the end, below 0.5): try"
                + " scheduler.grace_epochs: 3 or more"), html);

        SweepReport.write(stopped(false), dir, null, new ForestImportance());
        String trusted = Files.readString(dir.resolve("report.html"));
        assertTrue(trusted.contains("Early-stopping validity") && !trusted.contains("Warning:"), trusted);
        assertEquals(Optional.empty(), RungValidity.of(planted(27)), "no table without early stopping");
    }

    @Test
    void theOutputFolderReadsBackIntoTrialsWithTheirEpochs() throws Exception {
        Files.writeString(dir.resolve("spec.yaml"), """
                name: s
                task: hello
                objective: {metric: val_loss, mode: min}
                space:
                  hidden: ['4', '8']
                """);
        Files.writeString(dir.resolve("trials.csv"), """
                trial,run_name,hidden,epoch,train_loss,val_loss,status,host,pid
                0,"hello,h4",4,1,1.5,1.4,FINISHED,vm,1
                0,"hello,h4",4,2,1.2,1.1,FINISHED,vm,1
                1,hello-h8,8,,,,DIVERGED,vm,1
                """);
        SweepData s = SweepData.load(dir);
        assertEquals(List.of("hidden"), s.axes());
        assertEquals("hello,h4", s.trials().get(0).runName());
        assertEquals(2, s.trials().get(0).epochs().size());
        assertEquals(1.1, s.objective(s.trials().get(0)));
        assertTrue(s.trials().get(1).epochs().isEmpty());
        assertEquals(List.of(s.trials().get(0)), s.ranked());
    }

    @Test
    void aSweepWhereNoTrialReachedAValueStillGetsItsReportSayingWhy() throws Exception {
        List<SweepData.Trial> trials = new ArrayList<>();
        int index = 0;
        for (String lr : new String[] {"100", "1000"}) {
            for (String hidden : new String[] {"8", "64"}) {
                trials.add(new SweepData.Trial(index, "t" + index, new LinkedHashMap<>(Map.of("lr", lr, "hidden", hidden)),
                        "DIVERGED", List.of()));
                index++;
            }
        }
        SweepData sweep = new SweepData("all-diverged", "timemachine", "val_perplexity", true, List.of("lr", "hidden"),
                trials);
        List<Path> files = SweepReport.write(sweep, dir, null, new ForestImportance());
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("no heatmap: no trial reached a value of val_perplexity"), html);
        for (Path f : files) {
            assertTrue(Files.size(f) > 0, f.toString());
        }
        assertFalse(Files.exists(dir.resolve("report-heatmap.png")));
    }
}
