package io.rnnsweep.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnsweep.trial.Cell;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The fast recurrent layers against DL4J's stock layers and against finite differences in double precision (ND4J
 * operations), and their single-precision CPU path ({@link CpuFloatPass}) against the double-precision one.
 */
class FastRecurrentTest {
    private static final int N_IN = 5;
    private static final int HIDDEN = 6;
    private static final int CLASSES = 4;

    private static MultiLayerNetwork net(Layer first, Layer second, int tbptt) {
        return net(first, second, tbptt, tbptt, DataType.DOUBLE);
    }

    private static MultiLayerNetwork net(Layer first, Layer second, int tbptt, int tbpttBack, DataType type) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1).dataType(type)
                .updater(tbptt > 0 ? new org.nd4j.linalg.learning.config.Sgd(0.1) : new NoOp()).weightInit(WeightInit.XAVIER).miniBatch(false).list()
                .layer(first).layer(second)
                .layer(new RnnOutputLayer.Builder(LossFunction.MCXENT).nIn(HIDDEN).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build());
        if (tbptt > 0) {
            list.backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(tbptt).tBPTTBackwardLength(tbpttBack);
        }
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static Layer fast(Cell cell, int nIn) {
        return new FastRecurrent.Builder().cell(cell).nIn(nIn).nOut(HIDDEN).dataFormat(RNNFormat.NCW).build();
    }

    private static Layer stock(Cell cell, int nIn) {
        return cell == Cell.RNN
                ? new SimpleRnn.Builder().nIn(nIn).nOut(HIDDEN).activation(Activation.TANH).dataFormat(RNNFormat.NCW).build()
                : new LSTM.Builder().nIn(nIn).nOut(HIDDEN).activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID).dataFormat(RNNFormat.NCW).build();
    }

    private static INDArray[] data(int batch, int steps, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.DOUBLE, batch, N_IN, steps).subi(0.5).muli(2);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, CLASSES, steps);
        java.util.Random r = new java.util.Random(seed);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                y.putScalar(new int[] {b, r.nextInt(CLASSES), t}, 1.0);
            }
        }
        return new INDArray[] {x, y};
    }

    /**
     * Copies the stock network's parameters into the fast one (whose layers have PyTorch's second bias, RB): the
     * same W, RW and output layer, and the stock bias split into b and RB, so that their sum is the stock one.
     */
    private static void copyStock(MultiLayerNetwork reference, MultiLayerNetwork fast) {
        for (int l = 0; l < reference.getnLayers(); l++) {
            Map<String, INDArray> from = reference.getLayer(l).paramTable();
            Map<String, INDArray> to = fast.getLayer(l).paramTable();
            from.forEach((key, value) -> to.get(key).assign(value));
            if (to.containsKey("RB")) {
                to.get("RB").assign(from.get("b").mul(0.25));
                to.get("b").assign(from.get("b").mul(0.75));
            }
        }
    }

    @Test
    void fastRnnAndLstmComputeTheStockLayersLossAndGradientsWithPyTorchsTwoBiases() {
        for (Cell cell : new Cell[] {Cell.RNN, Cell.LSTM}) {
            MultiLayerNetwork reference = net(stock(cell, N_IN), stock(cell, HIDDEN), 0);
            MultiLayerNetwork fast = net(fast(cell, N_IN), fast(cell, HIDDEN), 0);
            long biases = FastRecurrent.gates(cell) * HIDDEN * 2L;
            assertEquals(reference.numParams() + biases, fast.numParams(), "the stock layout and a second bias, " + cell);
            Nd4j.getRandom().setSeed(3);
            reference.setParams(Nd4j.rand(DataType.DOUBLE, 1, reference.numParams()).subi(0.5));
            copyStock(reference, fast);
            INDArray[] d = data(3, 7, 11);
            Map<String, INDArray> want = gradients(reference, d);
            Map<String, INDArray> got = gradients(fast, d);
            assertEquals(reference.score(), fast.score(), 1e-12, "loss, " + cell);
            for (String key : want.keySet()) {
                assertArrayEquals(want.get(key).ravel().toDoubleVector(), got.get(key).ravel().toDoubleVector(), 1e-10,
                        cell + " gradient " + key);
            }
            for (String layer : new String[] {"0", "1"}) {
                assertArrayEquals(want.get(layer + "_b").ravel().toDoubleVector(),
                        got.get(layer + "_RB").ravel().toDoubleVector(), 1e-10,
                        cell + ": RB's gradient is b's, layer " + layer);
            }
            assertArrayEquals(reference.output(d[0]).ravel().toDoubleVector(), fast.output(d[0]).ravel().toDoubleVector(), 1e-12,
                    "inference output, " + cell);
        }
    }

    private static Map<String, INDArray> gradients(MultiLayerNetwork net, INDArray[] d) {
        net.setInput(d[0]);
        net.setLabels(d[1]);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        Map<String, INDArray> out = new java.util.TreeMap<>();
        g.gradientForVariable().forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /** Central differences of the loss against the analytic gradient, at DL4J's own thresholds for recurrent layers. */
    @Test
    void everyCellPassesANumericGradientCheck() {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            checkEveryCell();
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    private static void checkEveryCell() {
        for (Cell cell : Cell.values()) {
            MultiLayerNetwork net = net(fast(cell, N_IN), fast(cell, HIDDEN), 0);
            Nd4j.getRandom().setSeed(5);
            net.setParams(Nd4j.rand(DataType.DOUBLE, 1, net.numParams()).subi(0.5));
            INDArray[] d = data(2, 5, 13);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(d[0])
                    .labels(d[1]).epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
            assertTrue(ok, cell + " analytic gradients match finite differences");
        }
    }

    /**
     * One window of truncated BPTT trains the stock layers' way; and the state carries from step to step. (Over
     * several windows the stock layers differ on purpose: their backward pass recomputes each window's forward
     * pass from a zero state while the forward pass used the carried one; this layer differentiates the forward
     * pass it ran, from the carried state, detached, as PyTorch's truncated BPTT does.)
     */
    @Test
    void truncatedBpttWindowTrainsLikeTheStockLayersAndTheStateCarries() {
        for (Cell cell : new Cell[] {Cell.RNN, Cell.LSTM}) {
            MultiLayerNetwork reference = net(stock(cell, N_IN), stock(cell, HIDDEN), 12);
            MultiLayerNetwork fast = net(fast(cell, N_IN), fast(cell, HIDDEN), 12);
            Nd4j.getRandom().setSeed(7);
            reference.setParams(Nd4j.rand(DataType.DOUBLE, 1, reference.numParams()).subi(0.5));
            copyStock(reference, fast);
            INDArray[] d = data(3, 12, 17);
            INDArray[] biasBefore = {reference.getLayer(0).paramTable().get("b").dup(),
                    reference.getLayer(1).paramTable().get("b").dup()};
            reference.fit(d[0], d[1]);
            fast.fit(d[0], d[1]);
            for (int l = 0; l < 3; l++) {
                Map<String, INDArray> want = reference.getLayer(l).paramTable();
                Map<String, INDArray> got = fast.getLayer(l).paramTable();
                for (String key : want.keySet()) {
                    if (l < 2 && key.equals("b")) {
                        // The stock layer's one bias moves by its gradient; b and RB each do (PyTorch's b_ih and
                        // b_hh), so their sum moves twice as far.
                        INDArray stockMove = want.get("b").sub(biasBefore[l]);
                        INDArray fastMove = got.get("b").add(got.get("RB")).sub(biasBefore[l]);
                        assertArrayEquals(stockMove.mul(2).toDoubleVector(), fastMove.toDoubleVector(), 1e-10,
                                cell + ": one SGD step of truncated BPTT moves b + RB twice as far, layer " + l);
                    } else {
                        assertArrayEquals(want.get(key).ravel().toDoubleVector(), got.get(key).ravel()
                                .toDoubleVector(), 1e-10, cell + ": one SGD step of truncated BPTT, " + l + "_" + key);
                    }
                }
            }
            INDArray step = d[0].get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
            copyStock(reference, fast); // the same function again, for the state's test
            reference.rnnClearPreviousState();
            fast.rnnClearPreviousState();
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(reference.rnnTimeStep(step).ravel().toDoubleVector(), fast.rnnTimeStep(step).ravel().toDoubleVector(),
                        1e-12, cell + ": rnnTimeStep carries the state, step " + i);
            }
        }
    }

    @Test
    void newNetworksInitializeTheLayerByItsConfiguredWeightAndBiasInitialization() {
        for (Cell cell : Cell.values()) {
            int gn = FastRecurrent.gates(cell) * HIDDEN;
            Layer layer = new FastRecurrent.Builder().cell(cell).nIn(N_IN).nOut(HIDDEN).biasInit(0.25)
                    .weightInitRecurrent(WeightInit.ZERO).dataFormat(RNNFormat.NCW).build();
            MultiLayerNetwork net = net(layer, fast(cell, HIDDEN), 0);
            // W by the network's Xavier: normal, variance 2 / (fanIn + fanOut).
            double[] w = net.getParam("0_W").dup().ravel().toDoubleVector();
            double variance = java.util.Arrays.stream(w).map(v -> v * v).average().orElseThrow();
            double xavier = 2.0 / (N_IN + gn);
            assertTrue(variance > xavier / 3 && variance < xavier * 3, cell + ": W variance " + variance + ", Xavier " + xavier);
            assertEquals(0.0, net.getParam("0_RW").amaxNumber().doubleValue(), 0.0, cell + ": RW by its own init");
            assertEquals(0.25, net.getParam("0_b").minNumber().doubleValue(), 0.0, cell + ": bias init");
            assertEquals(0.25, net.getParam("0_b").maxNumber().doubleValue(), 0.0, cell + ": bias init");
            // Without a recurrent init, RW takes the weight init too.
            assertTrue(net.getParam("1_RW").amaxNumber().doubleValue() > 0, cell + ": RW of the second layer is zero");
        }
    }

    @Test
    void configurationAndParametersRoundTripThroughDl4jSerialization() throws Exception {
        for (Cell cell : Cell.values()) {
            MultiLayerNetwork net = net(fast(cell, N_IN), fast(cell, HIDDEN), 0);
            Nd4j.getRandom().setSeed(9);
            net.setParams(Nd4j.rand(DataType.DOUBLE, 1, net.numParams()));
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
            assertEquals(net.getLayerWiseConfigurations(), back, cell + ": JSON (checkpoints, Spark workers)");
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            org.deeplearning4j.util.ModelSerializer.writeModel(net, bytes, true);
            MultiLayerNetwork restored = org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(
                    new java.io.ByteArrayInputStream(bytes.toByteArray()), true);
            INDArray x = data(2, 4, 1)[0];
            assertArrayEquals(net.output(x).ravel().toDoubleVector(), restored.output(x).ravel().toDoubleVector(), 0.0,
                    cell + ": a restored network computes the same");
        }
    }

    /** Float rounding plus the 4e-7 of the activation approximation, through a few steps: well under 1e-4. */
    private static final double FLOAT_TOLERANCE = 1e-4;

    @Test
    void singlePrecisionCpuPathComputesTheDoublePrecisionLossAndGradientsOfEveryCell() {
        assertTrue(CpuFloatPass.applies(DataType.FLOAT), "the tests run on ND4J's CPU backend");
        for (Cell cell : Cell.values()) {
            for (int[] shape : new int[][] {{3, 7}, {1, 4}, {4, 1}}) {
                MultiLayerNetwork reference = net(fast(cell, N_IN), fast(cell, HIDDEN), 0, 0, DataType.DOUBLE);
                MultiLayerNetwork single = net(fast(cell, N_IN), fast(cell, HIDDEN), 0, 0, DataType.FLOAT);
                Nd4j.getRandom().setSeed(19);
                reference.setParams(Nd4j.rand(DataType.DOUBLE, 1, reference.numParams()).subi(0.5));
                single.setParams(reference.params().castTo(DataType.FLOAT));
                INDArray[] d = data(shape[0], shape[1], 23);
                INDArray[] f = {d[0].castTo(DataType.FLOAT), d[1].castTo(DataType.FLOAT)};
                String what = cell + " batch " + shape[0] + " steps " + shape[1];
                Map<String, INDArray> want = gradients(reference, d);
                Map<String, INDArray> got = gradients(single, f);
                assertEquals(reference.score(), single.score(), FLOAT_TOLERANCE * reference.score(), "loss, " + what);
                assertEquals(want.keySet(), got.keySet());
                for (String key : want.keySet()) {
                    double error = RelativeError.of(want.get(key).ravel().toDoubleVector(), got.get(key).ravel().toDoubleVector());
                    assertTrue(error < FLOAT_TOLERANCE, what + " gradient " + key + ": relative error " + error);
                }
                double error = RelativeError.of(reference.output(d[0]).ravel().toDoubleVector(),
                        single.output(f[0]).ravel().toDoubleVector());
                assertTrue(error < FLOAT_TOLERANCE, what + " inference output: relative error " + error);
            }
        }
    }

    /**
     * Several windows of truncated BPTT (backward shorter than forward, so early steps get no gradient) with SGD:
     * the single-precision path's loss after every epoch equals the double-precision path's within float
     * tolerance, and so does the state it carries into {@code rnnTimeStep}.
     */
    @Test
    void singlePrecisionCpuPathTrainsEpochByEpochLikeTheDoublePrecisionPath() {
        for (Cell cell : Cell.values()) {
            MultiLayerNetwork reference = net(fast(cell, N_IN), fast(cell, HIDDEN), 4, 3, DataType.DOUBLE);
            MultiLayerNetwork single = net(fast(cell, N_IN), fast(cell, HIDDEN), 4, 3, DataType.FLOAT);
            Nd4j.getRandom().setSeed(29);
            reference.setParams(Nd4j.rand(DataType.DOUBLE, 1, reference.numParams()).subi(0.5));
            single.setParams(reference.params().castTo(DataType.FLOAT));
            INDArray[] d = data(3, 12, 31);
            INDArray[] f = {d[0].castTo(DataType.FLOAT), d[1].castTo(DataType.FLOAT)};
            for (int epoch = 1; epoch <= 5; epoch++) {
                reference.fit(d[0], d[1]);
                single.fit(f[0], f[1]);
                assertEquals(reference.score(), single.score(), FLOAT_TOLERANCE * reference.score(),
                        cell + ": loss after epoch " + epoch);
            }
            double error = RelativeError.of(reference.params().toDoubleVector(), single.params().toDoubleVector());
            assertTrue(error < FLOAT_TOLERANCE, cell + ": parameters after 5 epochs, relative error " + error);
            reference.rnnClearPreviousState();
            single.rnnClearPreviousState();
            for (int i = 0; i < 3; i++) {
                INDArray step = d[0].get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1));
                double stepError = RelativeError.of(reference.rnnTimeStep(step).ravel().toDoubleVector(),
                        single.rnnTimeStep(step.castTo(DataType.FLOAT)).ravel().toDoubleVector());
                assertTrue(stepError < FLOAT_TOLERANCE, cell + ": rnnTimeStep step " + i + ", relative error " + stepError);
            }
        }
    }

    @Test
    void onlyPassesWithinAQuarterOfTheHeapKeepTheirActivationsInJavaArrays() {
        long quarter = Runtime.getRuntime().maxMemory() / 4;
        assertTrue(CpuFloatPass.fitsHeap(Cell.LSTM, 35, 32, 256), "the benchmark's LSTM 256 (8 MB)");
        // LSTM: 6 blocks of steps x m x n floats per pass (4 gates, the cell state and its tanh).
        long steps = quarter / (4L * 6 * 32 * 256) + 1;
        assertTrue(!CpuFloatPass.fitsHeap(Cell.LSTM, steps, 32, 256), steps + " steps need more than a quarter of the heap");
        assertTrue(CpuFloatPass.fitsHeap(Cell.LSTM, steps - 1, 32, 256));
    }
}
