package io.rnnsweep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.task.Batch;
import io.rnnsweep.task.Network;
import io.rnnsweep.task.TaskSession;
import io.rnnsweep.task.Tasks;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class GlobalNormClipTest {
    @TempDir
    Path dir;

    @Test
    void factorScalesTheNormDownToTheThresholdAndLeavesSmallerNormsAlone() {
        assertEquals(0.5, GlobalNormClip.factor(2.0, OptionalDouble.of(1.0)), 0);
        assertEquals(1.0, GlobalNormClip.factor(0.7, OptionalDouble.of(1.0)), 0);
        assertEquals(1.0, GlobalNormClip.factor(1.0, OptionalDouble.of(1.0)), 0);
        assertEquals(1.0, GlobalNormClip.factor(1e9, OptionalDouble.empty()), 0);
        assertTrue(GlobalNormClip.clips(2.0, OptionalDouble.of(1.0)));
        assertFalse(GlobalNormClip.clips(2.0, OptionalDouble.empty()));
    }

    @Test
    void normIsTakenOverAllPiecesTogetherNotPerLayer() {
        // Per-layer clipping would see norms 5 and 12; the global norm is 13.
        assertEquals(13.0, GlobalNormClip.norm(new double[] {3, 4}, new double[] {12}), 1e-12);
    }

    @Test
    void sgdStepEqualsLearningRateTimesClippedGradientOfMeanTokenLoss() throws IOException {
        checkOneStep("0.1", true);
    }

    @Test
    void sgdStepWithoutClippingEqualsLearningRateTimesGradientOfMeanTokenLoss() throws IOException {
        checkOneStep("none", false);
    }

    /**
     * Trains one SGD step of a tiny character RNN through DL4J and compares the update with a hand
     * computation: PyTorch's loss (mean cross-entropy per token) of the same network written out in plain
     * Java, its gradient by central differences, clipped by global L2 norm, times the learning rate.
     */
    private void checkOneStep(String clip, boolean expectClipped) throws IOException {
        Path corpus = Files.writeString(dir.resolve("tiny.txt"), "the quick brown f");
        Map<TrialOption, String> o = new EnumMap<>(TrialOption.class);
        o.put(TrialOption.HIDDEN, "3");
        o.put(TrialOption.BATCH, "2");
        o.put(TrialOption.SEQ_LEN, "4");
        o.put(TrialOption.LR, "0.5");
        o.put(TrialOption.CLIP, clip);
        o.put(TrialOption.CORPUS, corpus.toString());
        TrialConfig config = Tasks.resolve(TaskName.TIMEMACHINE, o);
        TaskSession session = Tasks.get(TaskName.TIMEMACHINE).open(config);
        Batch batch = session.batches(1).get(0);
        assertEquals(1, batch.updates(), "the corpus is cut to exactly one window per row");
        try (Network net = session.newNetwork()) {
            Layer[] layers = net.allLayers();
            double[][] before = {
                values(layers[0].paramTable().get("W")), values(layers[0].paramTable().get("RW")),
                values(layers[0].paramTable().get("b")), values(layers[1].paramTable().get("W")),
                values(layers[1].paramTable().get("b")), values(layers[0].paramTable().get("RB"))};
            int[][] x = tokens(batch.single().getFeatures());
            int[][] y = tokens(batch.single().getLabels());
            HandRnn hand = new HandRnn(28, 3, x, y);

            double[][] grad = hand.numericGradient(before);
            double norm = GlobalNormClip.norm(grad);
            double factor = GlobalNormClip.factor(norm, config.clip());
            assertEquals(expectClipped, factor < 1, "norm " + norm);

            GradientControl control = new GradientControl(config.clip(), session.frozenParameters());
            net.setListeners(control);
            control.begin(batch);
            net.fit(batch);
            assertEquals(hand.loss(before), control.epochStats().meanLoss(), 1e-5, "DL4J's summed score over tokens is the mean loss");
            assertEquals(norm, control.epochStats().meanNorm(), 1e-4 * norm, "measured norm is the seed objective's gradient norm");

            double[][] after = {
                values(layers[0].paramTable().get("W")), values(layers[0].paramTable().get("RW")),
                values(layers[0].paramTable().get("b")), values(layers[1].paramTable().get("W")),
                values(layers[1].paramTable().get("b")), values(layers[0].paramTable().get("RB"))};
            for (int p = 0; p < before.length; p++) {
                for (int i = 0; i < before[p].length; i++) {
                    double expected = before[p][i] - config.lr() * factor * grad[p][i];
                    assertEquals(expected, after[p][i], 2e-6, "param group " + p + " element " + i);
                }
            }
        }
    }

    private static double[] values(INDArray a) {
        return a.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
    }

    private static int[][] tokens(INDArray oneHot) {
        int rows = (int) oneHot.size(0);
        int steps = (int) oneHot.size(2);
        int[][] out = new int[rows][steps];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < steps; t++) {
                for (int v = 0; v < oneHot.size(1); v++) {
                    if (oneHot.getDouble(r, v, t) > 0.5) {
                        out[r][t] = v;
                    }
                }
            }
        }
        return out;
    }

    /**
     * The network written out by hand, as PyTorch's nn.RNN and nn.Linear define it: h_t = tanh(x_t W + b +
     * h_{t-1} R + b_hh), p_t = softmax(h_t V + c).
     */
    private record HandRnn(int vocab, int hidden, int[][] x, int[][] y) {
        double loss(double[][] p) {
            double[] w = p[0];
            double[] r = p[1];
            double[] b = p[2];
            double[] v = p[3];
            double[] c = p[4];
            double[] bhh = p[5];
            double total = 0;
            int count = 0;
            for (int row = 0; row < x.length; row++) {
                double[] h = new double[hidden];
                for (int t = 0; t < x[row].length; t++) {
                    double[] next = new double[hidden];
                    for (int j = 0; j < hidden; j++) {
                        double s = w[x[row][t] * hidden + j] + b[j] + bhh[j];
                        for (int k = 0; k < hidden; k++) {
                            s += h[k] * r[k * hidden + j];
                        }
                        next[j] = Math.tanh(s);
                    }
                    h = next;
                    double[] logits = new double[vocab];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int o = 0; o < vocab; o++) {
                        double s = c[o];
                        for (int k = 0; k < hidden; k++) {
                            s += h[k] * v[k * vocab + o];
                        }
                        logits[o] = s;
                        max = Math.max(max, s);
                    }
                    double z = 0;
                    for (double l : logits) {
                        z += Math.exp(l - max);
                    }
                    total += -(logits[y[row][t]] - max - Math.log(z));
                    count++;
                }
            }
            return total / count;
        }

        double[][] numericGradient(double[][] p) {
            double[][] g = new double[p.length][];
            double eps = 1e-6;
            for (int a = 0; a < p.length; a++) {
                g[a] = new double[p[a].length];
                for (int i = 0; i < p[a].length; i++) {
                    double keep = p[a][i];
                    p[a][i] = keep + eps;
                    double up = loss(p);
                    p[a][i] = keep - eps;
                    double down = loss(p);
                    p[a][i] = keep;
                    g[a][i] = (up - down) / (2 * eps);
                }
            }
            return g;
        }
    }
}
