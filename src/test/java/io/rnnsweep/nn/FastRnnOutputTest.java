package io.rnnsweep.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.trial.Cell;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** The fast output layer against DL4J's {@code RnnOutputLayer}: same score, same gradients, same configuration. */
class FastRnnOutputTest {
    private static final int N_IN = 5;
    private static final int HIDDEN = 7;
    private static final int CLASSES = 6;

    /** The two heads the fast path computes: softmax + cross-entropy (the language tasks), identity + MSE (sine). */
    private enum Head {
        SOFTMAX_MCXENT(Activation.SOFTMAX, LossFunction.MCXENT), IDENTITY_MSE(Activation.IDENTITY, LossFunction.MSE);

        final Activation activation;
        final LossFunction loss;

        Head(Activation activation, LossFunction loss) {
            this.activation = activation;
            this.loss = loss;
        }
    }

    private static RnnOutputLayer stockOutput() {
        return stockOutput(Head.SOFTMAX_MCXENT);
    }

    private static RnnOutputLayer stockOutput(Head head) {
        return new RnnOutputLayer.Builder(head.loss).nIn(HIDDEN).nOut(CLASSES).activation(head.activation)
                .dataFormat(RNNFormat.NCW).build();
    }

    private static MultiLayerNetwork net(boolean fastOutput, DataType type, boolean miniBatch) {
        return net(fastOutput, type, miniBatch, Head.SOFTMAX_MCXENT);
    }

    private static MultiLayerNetwork net(boolean fastOutput, DataType type, boolean miniBatch, Head head) {
        RnnOutputLayer out = stockOutput(head);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(type).updater(new NoOp())
                .weightInit(WeightInit.XAVIER).miniBatch(miniBatch).list()
                .layer(new FastRecurrent.Builder().cell(Cell.LSTM).nIn(N_IN).nOut(HIDDEN).dataFormat(RNNFormat.NCW).build())
                .layer(fastOutput ? FastRnnOutput.of(out) : out)
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Input and labels, [batch, size, steps]; one-hot labels, or soft ones (each step's summing to 1). */
    private static INDArray[] data(int batch, int steps, boolean soft, DataType type) {
        Nd4j.getRandom().setSeed(41);
        INDArray x = Nd4j.rand(DataType.DOUBLE, batch, N_IN, steps).subi(0.5).muli(2);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, CLASSES, steps);
        java.util.Random r = new java.util.Random(43);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                if (soft) {
                    double[] w = new double[CLASSES];
                    double sum = 0;
                    for (int c = 0; c < CLASSES; c++) {
                        w[c] = r.nextDouble();
                        sum += w[c];
                    }
                    for (int c = 0; c < CLASSES; c++) {
                        y.putScalar(new int[] {b, c, t}, w[c] / sum);
                    }
                } else {
                    y.putScalar(new int[] {b, r.nextInt(CLASSES), t}, 1.0);
                }
            }
        }
        return new INDArray[] {x.castTo(type), y.castTo(type)};
    }

    private static Map<String, double[]> gradients(MultiLayerNetwork net, INDArray[] d) {
        net.setInput(d[0]);
        net.setLabels(d[1]);
        net.computeGradientAndScore();
        Map<String, double[]> out = new TreeMap<>();
        net.gradient().gradientForVariable().forEach((k, v) -> out.put(k, v.dup().ravel().toDoubleVector()));
        return out;
    }

    @Test
    void singlePrecisionScoreAndEveryGradientEqualDl4jsOutputLayer() {
        for (Head head : Head.values()) {
            for (int batch : new int[] {4, 1}) {
                for (boolean miniBatch : new boolean[] {true, false}) {
                    // Soft labels: each step's summing to 1 for the softmax, any real targets for the squared error.
                    for (boolean soft : new boolean[] {false, true}) {
                        MultiLayerNetwork stock = net(false, DataType.FLOAT, miniBatch, head);
                        MultiLayerNetwork fast = net(true, DataType.FLOAT, miniBatch, head);
                        assertInstanceOf(FastRnnOutputLayer.class, fast.getOutputLayer());
                        Nd4j.getRandom().setSeed(47);
                        stock.setParams(Nd4j.rand(DataType.FLOAT, 1, stock.numParams()).subi(0.5));
                        fast.setParams(stock.params().dup());
                        INDArray[] d = data(batch, 9, soft, DataType.FLOAT);
                        if (head == Head.IDENTITY_MSE && soft) {
                            d[1] = d[1].mul(7).subi(1);
                        }
                        String what = head + ", batch " + batch + (miniBatch ? ", minibatch" : ", not minibatch")
                                + (soft ? ", soft labels" : ", one-hot labels");
                        Map<String, double[]> want = gradients(stock, d);
                        Map<String, double[]> got = gradients(fast, d);
                        assertEquals(stock.score(), fast.score(), 1e-5 * stock.score(), "score, " + what);
                        assertEquals(want.keySet(), got.keySet());
                        for (String key : want.keySet()) {
                            double error = RelativeError.of(want.get(key), got.get(key));
                            assertTrue(error < 1e-5, what + ", gradient " + key + ": relative error " + error);
                        }
                        org.nd4j.linalg.dataset.DataSet set = new org.nd4j.linalg.dataset.DataSet(d[0], d[1]);
                        assertEquals(stock.score(set), fast.score(set), 1e-5 * stock.score(), "score(DataSet), " + what);
                    }
                }
            }
        }
    }

    @Test
    void scoreAfterABackwardPassIsThatPassesLossUnlessTheParametersChangedSince() {
        MultiLayerNetwork fast = net(true, DataType.FLOAT, true);
        INDArray[] d = data(4, 9, false, DataType.FLOAT);
        fast.initGradientsView();
        FastRnnOutputLayer out = (FastRnnOutputLayer) fast.getOutputLayer();
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        out.setInput(fast.feedForward(d[0], true).get(1), mgr);
        out.setLabels(d[1]);
        // Backward pass, then the score DL4J asks for: the pass's loss, bit for bit what computing it again gives.
        out.backpropGradient(null, mgr);
        double fromPass = out.computeScore(0, true, mgr);
        double computed = out.computeScore(0, true, mgr);
        assertEquals(computed, fromPass, 0.0);
        // Parameters updated in place between the two calls: the score is the new parameters' loss.
        out.backpropGradient(null, mgr);
        out.params().muli(0.5);
        double afterUpdate = out.computeScore(0, true, mgr);
        assertEquals(out.computeScore(0, true, mgr), afterUpdate, 0.0);
        assertTrue(Math.abs(afterUpdate - fromPass) > 1e-3 * fromPass, afterUpdate + " vs " + fromPass);
        // New labels between the two calls: their loss.
        out.backpropGradient(null, mgr);
        out.setLabels(data(4, 9, true, DataType.FLOAT)[1]);
        double newLabels = out.computeScore(0, true, mgr);
        assertEquals(out.computeScore(0, true, mgr), newLabels, 0.0);
        assertTrue(Math.abs(newLabels - afterUpdate) > 1e-3 * afterUpdate, newLabels + " vs " + afterUpdate);
    }

    @Test
    void otherCasesRunDl4jsOwnCodeAndComputeTheSame() {
        // Double precision, and a single step in single precision: DL4J's code, bit for bit.
        for (Object[] c : new Object[][] {{DataType.DOUBLE, 4, 5}, {DataType.FLOAT, 4, 1}}) {
            DataType type = (DataType) c[0];
            MultiLayerNetwork stock = net(false, type, true);
            MultiLayerNetwork fast = net(true, type, true);
            Nd4j.getRandom().setSeed(53);
            stock.setParams(Nd4j.rand(type, 1, stock.numParams()).subi(0.5));
            fast.setParams(stock.params().dup());
            INDArray[] d = data((int) c[1], (int) c[2], false, type);
            Map<String, double[]> want = gradients(stock, d);
            Map<String, double[]> got = gradients(fast, d);
            String what = type + ", " + c[2] + " steps";
            assertEquals(stock.score(), fast.score(), 0.0, what);
            for (String key : want.keySet()) {
                assertArrayEquals(want.get(key), got.get(key), 0.0, what + ", gradient " + key);
            }
        }
    }

    @Test
    void configurationIsDl4jsAndRoundTripsAsTheFastLayer() throws Exception {
        RnnOutputLayer stock = stockOutput();
        FastRnnOutput fast = FastRnnOutput.of(stock);
        assertEquals(stock.getNIn(), fast.getNIn());
        assertEquals(stock.getNOut(), fast.getNOut());
        assertEquals(stock.getActivationFn(), fast.getActivationFn());
        assertEquals(stock.getLossFn(), fast.getLossFn());
        assertEquals(stock.getRnnDataFormat(), fast.getRnnDataFormat());
        MultiLayerNetwork net = net(true, DataType.FLOAT, true);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        assertEquals(net.getLayerWiseConfigurations(), back);
        assertInstanceOf(FastRnnOutput.class, back.getConf(1).getLayer());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.deeplearning4j.util.ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(
                new java.io.ByteArrayInputStream(bytes.toByteArray()), true);
        assertInstanceOf(FastRnnOutputLayer.class, restored.getOutputLayer());
    }
}
