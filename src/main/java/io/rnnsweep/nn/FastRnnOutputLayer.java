package io.rnnsweep.nn;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * DL4J's recurrent output layer with its training-time work for softmax + cross-entropy, or identity + mean squared
 * error, done in one pass: the outputs of all steps in one OpenBLAS product on the time-major column-major input
 * {@link FastRecurrent} hands over (no reshaping copies), the output activation, loss and its gradient in Java, the
 * parameter and input gradients in three more products; the gradient handed back keeps that layout. The score DL4J
 * asks for right after a backward pass is the loss that pass computed (unless the input, the labels or the
 * parameters changed in between). Score and gradients are DL4J's: the summed cross-entropy of clipped probabilities
 * with {@code p − y} as the pre-activation gradient, or the squared error summed over rows and averaged over
 * outputs with {@code 2 (z − y) / outputs}; the score is over the minibatch when it is one. Anything else (double
 * precision, another backend, other activations or losses, masks, dropout, weight noise, loss weights, NWC, a single
 * step, inference) runs DL4J's code.
 */
final class FastRnnOutputLayer extends RnnOutputLayer {
    private static final long serialVersionUID = 1L;

    /** Java arrays of the softmax, reused from call to call while the shape stays. */
    private transient float[] probabilities;
    private transient float[] targets;
    private transient float[] rowMax;
    private transient double[] rowSum;
    private transient float[] biases;
    /** The loss the last backward pass computed, for the score DL4J asks for right after it; null when used. */
    private transient Scored scored;
    /**
     * The parameter values the last backward pass ran with, and the current ones to compare them with: reused from
     * call to call while the size stays.
     */
    private transient float[] scoredParameters;
    private transient float[] currentParameters;

    /**
     * A loss computed by a backward pass: valid for the same input and labels arrays and the same parameter
     * values (kept in {@link #scoredParameters}: an update in place between the two calls would change them).
     */
    private record Scored(INDArray input, INDArray labels, double loss) {
    }

    FastRnnOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The output activations and losses the fast path computes. */
    private enum Head {
        /** Softmax and cross-entropy ({@code MCXENT}, DL4J's clipped probabilities). */
        SOFTMAX_CROSS_ENTROPY,
        /** Identity and the mean squared error over the outputs ({@code MSE}), as the sine task trains. */
        IDENTITY_MSE
    }

    /** The head this layer's configuration computes on the fast path, or null when only DL4J's code does. */
    private Head head() {
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer c = layerConf();
        if (c.getActivationFn() instanceof ActivationSoftmax && c.getLossFn() instanceof LossMCXENT loss
                && loss.getWeights() == null) {
            return Head.SOFTMAX_CROSS_ENTROPY;
        }
        if (c.getActivationFn() instanceof ActivationIdentity && c.getLossFn() instanceof LossMSE loss
                && loss.getClass() == LossMSE.class && loss.getWeights() == null) {
            return Head.IDENTITY_MSE;
        }
        return null;
    }

    /** Whether this input and these labels take the fast path. */
    private boolean fast() {
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer c = layerConf();
        return CpuFloatPass.applies(dataType) && input != null && labels != null && input.rank() == 3
                && labels.rank() == 3 && input.size(2) > 1 && maskArray == null
                && c.getIDropout() == null && c.getWeightNoise() == null && c.hasBias()
                && c.getRnnDataFormat() != RNNFormat.NWC && head() != null
                && input.dataType() == DataType.FLOAT && labels.size(2) == input.size(2);
    }

    /**
     * The outputs and loss of one minibatch, rows time-major (t·m + i), outputs column-major: softmax probabilities
     * and cross-entropy, or identity outputs and squared error.
     */
    private final class Pass {
        final int m;
        final int steps;
        final int rows;
        final int classes;
        /** The input, [T·m, n] column-major. */
        final INDArray x;
        final Head head;
        /** Outputs (probabilities or identity), then (in {@link #delta}) their gradient: reused by the next call. */
        final float[] p;
        final float[] y;
        double loss;

        Pass(LayerWorkspaceMgr mgr, ArrayType type) {
            head = head();
            m = (int) input.size(0);
            steps = (int) input.size(2);
            rows = m * steps;
            classes = (int) labels.size(1);
            int n = (int) input.size(1);
            // [m, n, T] -> [T·m, n] column-major: a view of FastRecurrent's output, a copy of anything else.
            INDArray x2 = input.permute(0, 2, 1).reshape('f', rows, n);
            x = x2.ordering() == 'f' && x2.stride(0) == 1 ? x2 : x2.dup('f');
            INDArray z = mgr.createUninitialized(type, DataType.FLOAT, new long[] {rows, classes}, 'f');
            NativeMatrix xm = NativeMatrix.of(x);
            NativeMatrix wm = NativeMatrix.of(getParam(DefaultParamInitializer.WEIGHT_KEY));
            NativeMatrix zm = NativeMatrix.of(z);
            NativeMatrix.gemm(false, false, rows, classes, n, xm.at(0, 0), xm.ld, wm.at(0, 0), wm.ld, 0f, zm.at(0, 0),
                    zm.ld);
            if (probabilities == null || probabilities.length != rows * classes) {
                probabilities = new float[rows * classes];
                targets = new float[rows * classes];
                rowMax = new float[rows];
                rowSum = new double[rows];
            }
            p = probabilities;
            zm.gatherRows(0, rows, 0, classes, p);
            INDArray y2 = mgr.createUninitialized(type, DataType.FLOAT, new long[] {rows, classes}, 'f');
            y2.reshape('f', m, steps, classes).assign(labels.permute(0, 2, 1));
            y = targets;
            NativeMatrix.of(y2).gatherRows(0, rows, 0, classes, y);
            float[] b = biases = NativeMatrix.values(getParam(DefaultParamInitializer.BIAS_KEY), biases);
            if (head == Head.IDENTITY_MSE) {
                // DL4J's MSE: the squared error summed over the outputs, divided by their count, summed over rows.
                double total = 0;
                for (int c = 0; c < classes; c++) {
                    int at = c * rows;
                    for (int r = 0; r < rows; r++) {
                        p[at + r] += b[c];
                        float d = y[at + r] - p[at + r];
                        total += d * d;
                    }
                }
                loss = total / classes;
                return;
            }
            double clip = ((LossMCXENT) layerConf().getLossFn()).getSoftmaxClipEps();
            float[] max = rowMax;
            java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
            for (int c = 0; c < classes; c++) {
                int at = c * rows;
                for (int r = 0; r < rows; r++) {
                    p[at + r] += b[c];
                    max[r] = Math.max(max[r], p[at + r]);
                }
            }
            double[] sum = rowSum;
            java.util.Arrays.fill(sum, 0);
            for (int c = 0; c < classes; c++) {
                int at = c * rows;
                for (int r = 0; r < rows; r++) {
                    float e = (float) Math.exp(p[at + r] - max[r]);
                    p[at + r] = e;
                    sum[r] += e;
                }
            }
            double total = 0;
            for (int c = 0; c < classes; c++) {
                int at = c * rows;
                for (int r = 0; r < rows; r++) {
                    float q = (float) (p[at + r] / sum[r]);
                    p[at + r] = q;
                    if (y[at + r] != 0f) {
                        total -= y[at + r] * Math.log(Math.min(Math.max(q, clip), 1.0 - clip));
                    }
                }
            }
            loss = total;
        }

        /**
         * Turns the outputs into the pre-activation gradient: {@code p − y}, or {@code 2 (z − y) / outputs} (DL4J's
         * MSE).
         */
        float[] delta() {
            if (head == Head.IDENTITY_MSE) {
                for (int k = 0; k < p.length; k++) {
                    p[k] = (p[k] - y[k]) * 2f / classes;
                }
                return p;
            }
            for (int k = 0; k < p.length; k++) {
                p[k] -= y[k];
            }
            return p;
        }
    }

    /** Whether the parameters still have the values the last backward pass ran with. */
    private boolean parametersUnchanged() {
        currentParameters = NativeMatrix.values(params(), currentParameters);
        return java.util.Arrays.equals(scoredParameters, currentParameters);
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr mgr) {
        if (!fast()) {
            return super.computeScore(fullNetRegTerm, training, mgr);
        }
        Scored last = scored;
        scored = null;
        double loss = last != null && last.input() == input && last.labels() == labels && parametersUnchanged()
                ? last.loss() : new Pass(mgr, ArrayType.FF_WORKING_MEM).loss;
        if (conf().isMiniBatch()) {
            loss /= getInputMiniBatchSize();
        }
        this.score = loss + fullNetRegTerm;
        return score;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        if (!fast()) {
            return super.backpropGradient(epsilon, mgr);
        }
        Pass s = new Pass(mgr, ArrayType.BP_WORKING_MEM);
        scoredParameters = NativeMatrix.values(params(), scoredParameters);
        scored = new Scored(input, labels, s.loss);
        int n = (int) s.x.size(1);
        INDArray d = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {s.rows, s.classes}, 'f');
        NativeMatrix dm = NativeMatrix.of(d);
        dm.scatterRows(0, s.rows, 0, s.classes, s.delta());
        NativeMatrix xm = NativeMatrix.of(s.x);
        INDArray wg = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray bg = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        NativeMatrix wgm = NativeMatrix.of(wg);
        NativeMatrix.gemm(true, false, n, s.classes, s.rows, xm.at(0, 0), xm.ld, dm.at(0, 0), dm.ld, 0f, wgm.at(0, 0),
                wgm.ld);
        dm.columnSums(0, s.classes, bg);
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[] {s.rows, n}, 'f');
        NativeMatrix em = NativeMatrix.of(eps);
        NativeMatrix wm = NativeMatrix.of(getParam(DefaultParamInitializer.WEIGHT_KEY));
        NativeMatrix.gemm(false, true, s.rows, n, s.classes, dm.at(0, 0), dm.ld, wm.at(0, 0), wm.ld, 0f, em.at(0, 0),
                em.ld);
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, wg);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, bg);
        weightNoiseParams.clear();
        return new Pair<>(gradient, eps.reshape('f', s.m, s.steps, n).permute(0, 2, 1));
    }
}
