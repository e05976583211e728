package io.rnnsweep.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnsweep.train.GradientControl;
import io.rnnsweep.trial.Cell;
import io.rnnsweep.trial.OptimizerKind;
import io.rnnsweep.trial.TaskName;
import io.rnnsweep.trial.TrialConfig;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The character LM's first updates against the seeds' PyTorch code: the fixture {@code torch-golden.json.gz}
 * (written by {@code jobs/torch_golden.py} from d2l's RNNModel and sequential loop in PyTorch) holds, for an RNN,
 * an LSTM and a GRU, PyTorch's initial parameters, and for each of 20 updates the loss, the global gradient norm
 * before clipping and a digest of every parameter after the update. The task's own network, started from those
 * parameters, trained through the trainer's gradient control on the task's own sequential batch, must follow.
 */
class TorchGoldenTest {
    /** Relative tolerance of losses and norms: single precision against PyTorch's double-precision arithmetic. */
    private static final double LOSS_TOLERANCE = 1e-5;
    /** Relative tolerance of the parameter digests. */
    private static final double PARAM_TOLERANCE = 1e-4;

    private static JsonNode fixture() throws Exception {
        try (InputStream in = new GZIPInputStream(TorchGoldenTest.class.getResourceAsStream("torch-golden.json.gz"))) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Records every update: the loss and the global norm before clipping, and the parameters after it. */
    private static final class Recorder extends BaseTrainingListener {
        final double scale;
        final List<double[]> lossAndNorm = new ArrayList<>();
        final List<Map<String, double[]>> digests = new ArrayList<>();
        final Network net;

        Recorder(Network net, double scale) {
            this.net = net;
            this.scale = scale;
        }

        @Override
        public void onGradientCalculation(Model model) {
            // Before the gradient control scales and clips it: DL4J's summed loss and gradient, scaled to the mean.
            lossAndNorm.add(new double[] {model.score() * scale,
                    model.gradient().gradient().norm2Number().doubleValue() * scale});
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            digests.add(digest(net));
        }
    }

    private static double[][] matrix(JsonNode rows) {
        double[][] out = new double[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            out[r] = vector(rows.get(r));
        }
        return out;
    }

    private static double[] vector(JsonNode values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).asDouble();
        }
        return out;
    }

    /** The network's parameters by the fixture's names: the recurrent layer's W, RW, b, RB, the output's. */
    private static Map<String, INDArray> named(Network net) {
        Layer[] layers = net.allLayers();
        Map<String, INDArray> recurrent = layers[0].paramTable();
        Map<String, INDArray> output = layers[1].paramTable();
        return Map.of("W", recurrent.get("W"), "RW", recurrent.get("RW"), "b", recurrent.get("b"),
                "RB", recurrent.get("RB"), "out_W", output.get("W"), "out_b", output.get("b"));
    }

    private static Map<String, double[]> digest(Network net) {
        Map<String, double[]> out = new java.util.TreeMap<>();
        named(net).forEach((key, p) -> {
            double[] v = p.castTo(DataType.DOUBLE).dup().ravel().toDoubleVector();
            double sum = 0;
            double squares = 0;
            double max = 0;
            for (double x : v) {
                sum += x;
                squares += x * x;
                max = Math.max(max, Math.abs(x));
            }
            out.put(key, new double[] {sum, squares, max});
        });
        return out;
    }

    private static void assertClose(double want, double got, double relative, double scale, String what) {
        assertTrue(Math.abs(want - got) <= relative * Math.max(Math.abs(want), scale),
                String.format(Locale.ROOT, "%s: PyTorch %.9g, rnnsweep %.9g", what, want, got));
    }

    @Test
    void theCharacterLmFollowsPyTorchsFirstUpdatesForEveryCell() throws Exception {
        JsonNode f = fixture();
        int[] tokens = f.get("text").asText().chars().map(c -> CharCorpus.token((char) c)).toArray();
        int offset = f.get("offset").asInt();
        int batch = f.get("batch").asInt();
        int steps = f.get("steps").asInt();
        double lr = f.get("lr").asDouble();
        double clip = f.get("clip").asDouble();
        List<String> cells = new ArrayList<>();
        for (JsonNode c : f.get("cells")) {
            Cell cell = Cell.valueOf(c.get("cell").asText().toUpperCase(Locale.ROOT));
            cells.add(cell.name());
            TrialConfig config = new TrialConfig(TaskName.TIMEMACHINE, f.get("hidden").asInt(), 1, cell,
                    OptimizerKind.SGD, lr, OptionalDouble.of(clip), batch, steps, 1, 0, 1, Optional.empty());
            Batch epoch = TimeMachineTask.sequential(tokens, offset, batch, steps);
            try (Network net = Nets.stack(config, DataType.FLOAT, CharCorpus.VOCABULARY, Activation.TANH,
                    CharCorpus.VOCABULARY, Activation.SOFTMAX, LossFunction.MCXENT, steps)) {
                Map<String, INDArray> params = named(net);
                Iterator<Map.Entry<String, JsonNode>> initial = c.get("initial").fields();
                while (initial.hasNext()) {
                    Map.Entry<String, JsonNode> e = initial.next();
                    INDArray target = params.get(e.getKey());
                    INDArray value = e.getValue().get(0).isArray()
                            ? Nd4j.create(matrix(e.getValue())) : Nd4j.create(vector(e.getValue()));
                    assertEquals(target.length(), value.length(), cell + " " + e.getKey() + ": parameter size");
                    target.assign(value.reshape(target.shape()).castTo(target.dataType()));
                }
                GradientControl control = new GradientControl(config.clip(), Set.of());
                Recorder recorder = new Recorder(net, epoch.objectiveScale());
                net.layers().setListeners(recorder, control);
                control.begin(epoch);
                net.layers().fit(epoch.single());
                JsonNode updates = c.get("updates");
                assertEquals(updates.size(), recorder.lossAndNorm.size(), cell + ": one update per window");
                for (int u = 0; u < updates.size(); u++) {
                    JsonNode want = updates.get(u);
                    String at = cell + " update " + (u + 1);
                    assertClose(want.get("loss").asDouble(), recorder.lossAndNorm.get(u)[0], LOSS_TOLERANCE, 0,
                            at + " loss");
                    assertClose(want.get("norm").asDouble(), recorder.lossAndNorm.get(u)[1], LOSS_TOLERANCE, 0,
                            at + " global gradient norm before clipping");
                    Map<String, double[]> got = recorder.digests.get(u);
                    Iterator<Map.Entry<String, JsonNode>> digest = want.get("digest").fields();
                    while (digest.hasNext()) {
                        Map.Entry<String, JsonNode> e = digest.next();
                        double[] w = vector(e.getValue());
                        double[] g = got.get(e.getKey());
                        // A sum can cancel to near zero: its tolerance is relative to the parameter's magnitude.
                        assertClose(w[0], g[0], PARAM_TOLERANCE, Math.sqrt(w[1]), at + " " + e.getKey() + " sum");
                        assertClose(w[1], g[1], PARAM_TOLERANCE, 0, at + " " + e.getKey() + " sum of squares");
                        assertClose(w[2], g[2], PARAM_TOLERANCE, 0, at + " " + e.getKey() + " largest magnitude");
                    }
                }
            }
        }
        assertEquals(List.of("RNN", "LSTM", "GRU"), cells);
    }
}
