package io.rnnsweep.nn;

import io.rnnsweep.trial.Cell;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A {@link FastRecurrent} layer at work. The input of all time steps is projected in one GEMM; each step then
 * costs one recurrent GEMM and its elementwise work; the backward pass keeps each step's pre-activation gradients
 * and computes the weight gradients of all steps in one GEMM each. The forward pass of a training step is kept
 * for its backward pass (DL4J's stock layers compute it twice). In single precision on the CPU backend a
 * {@link CpuFloatPass} does the work; otherwise ND4J operations on row-major time-major buffers
 * ({@code [T·m, ·]}, rows of step t contiguous). Truncated BPTT and {@code rnnTimeStep} carry the state as DL4J's
 * layers do. Masks are not supported (the tasks that use this layer have none).
 */
final class FastRecurrentLayer extends BaseRecurrentLayer<FastRecurrent> {
    private static final long serialVersionUID = 1L;
    private static final String HIDDEN = "h";
    private static final String CELL = "c";
    /** The last forward pass: the state it leaves, and the backward pass of a training step. */
    private transient Pass last;
    /** The Java arrays of the single-precision CPU path, reused from pass to pass. */
    private transient CpuFloatPass.Scratch scratch;

    FastRecurrentLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** A forward pass kept for the state it leaves and for its backward pass. */
    abstract static class Pass {
        /** The layer input the pass ran on. */
        final INDArray input;
        /** Whether it was a training pass. */
        final boolean training;

        Pass(INDArray input, boolean training) {
            this.input = input;
            this.training = training;
        }

        /** The hidden state after the last step, [m, n], a new array. */
        abstract INDArray lastHidden();

        /** The LSTM cell state after the last step, [m, n], a new array; null for the other cells. */
        abstract INDArray lastCell();
    }

    /**
     * One forward pass in ND4J operations (any data type, any backend): the input (time-major), the hidden states
     * (row block 0 is the initial state), and the cell's other activations.
     */
    private static final class Forward extends Pass {
        int m;
        int steps;
        /** Input, time-major: [T·m, nIn]. */
        INDArray x;
        /** Hidden states: [(T+1)·m, n], block 0 the initial state. */
        INDArray h;
        /** LSTM cell states: [(T+1)·m, n]. */
        INDArray c;
        /** Gate activations: LSTM [T·m, 4n] (g, f, o, i), GRU [T·m, 3n] (r, z, candidate). */
        INDArray gates;
        /** LSTM: tanh of the cell state, [T·m, n]. GRU: the recurrent projections (+ RB), [T·m, 3n]. */
        INDArray aux;

        Forward(INDArray input, boolean training) {
            super(input, training);
        }

        @Override
        INDArray lastHidden() {
            return step(h, steps, m).dup('c');
        }

        @Override
        INDArray lastCell() {
            return c == null ? null : step(c, steps, m).dup('c');
        }
    }

    private int n() {
        return (int) layerConf().getNOut();
    }

    /**
     * Returns how many leading entries of {@code RB} add to {@code b} before the gates: all of them, except the
     * GRU's candidate part, which sits inside its reset gate's product.
     */
    private long mergedBias() {
        long gn = (long) FastRecurrent.gates(layerConf().getCell()) * n();
        return layerConf().getCell() == Cell.GRU ? gn - n() : gn;
    }

    /** Returns the bias the input projection gets: {@code b + RB} (the GRU: its reset and update parts of RB). */
    private INDArray inputSideBias() {
        INDArray sum = getParam(FastRecurrentParams.B).dup();
        sum.get(NDArrayIndex.interval(0, mergedBias()))
                .addi(getParam(FastRecurrentParams.RB).get(NDArrayIndex.interval(0, mergedBias())));
        return sum;
    }

    /**
     * Returns {@link #inputSideBias()} as Java values, and the GRU's candidate part of {@code RB} after them, for the
     * CPU pass: the same single-precision sums, with no ND4J array made (each is a native buffer the garbage
     * collector tracks, and a small trial's steps are short).
     */
    private float[][] biasValues() {
        float[] b = NativeMatrix.values(getParam(FastRecurrentParams.B), null);
        float[] rb = NativeMatrix.values(getParam(FastRecurrentParams.RB), null);
        int merged = (int) mergedBias();
        for (int i = 0; i < merged; i++) {
            b[i] += rb[i];
        }
        return new float[][] {b, java.util.Arrays.copyOfRange(rb, merged, rb.length)};
    }

    /** Returns the GRU's candidate part of {@code RB} (or of its gradient): PyTorch's {@code b_hn}, [n]. */
    private INDArray candidateBias(INDArray rb) {
        return rb.get(NDArrayIndex.interval(mergedBias(), rb.length()));
    }

    /** Gives {@code RB}'s merged part the gradient of {@code b}: they are added before the gates. */
    private void shareBiasGradient() {
        INDArray bg = gradientViews.get(FastRecurrentParams.B);
        INDArray rbg = gradientViews.get(FastRecurrentParams.RB);
        if (CpuFloatPass.applies(dataType)) {
            // Through the native address: no views (each a buffer the garbage collector tracks) on the step's path.
            NativeMatrix.copyPrefix(bg, rbg, (int) mergedBias());
            return;
        }
        rbg.get(NDArrayIndex.interval(0, mergedBias())).assign(bg.get(NDArrayIndex.interval(0, mergedBias())));
    }

    private static INDArray rows(INDArray a, long from, long to, int m) {
        return a.get(NDArrayIndex.interval(from * m, to * m), NDArrayIndex.all());
    }

    private static INDArray step(INDArray a, long t, int m) {
        return rows(a, t, t + 1, m);
    }

    private static INDArray cols(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
    }

    private void checkNoMask() {
        if (maskArray != null) {
            throw new UnsupportedOperationException("FastRecurrent does not support masks; use DL4J's layers");
        }
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        return forward(null, training, mgr);
    }

    @Override
    public INDArray rnnTimeStep(INDArray in, LayerWorkspaceMgr mgr) {
        setInput(in, mgr);
        INDArray out = forward(stateMap, false, mgr);
        keepLastState(stateMap);
        return out;
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray in, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr mgr) {
        setInput(in, mgr);
        INDArray out = forward(tBpttStateMap, training, mgr);
        if (storeLastForTBPTT) {
            keepLastState(tBpttStateMap);
        }
        return out;
    }

    /** Keeps the last step's hidden (and cell) state, outside any workspace, in the given state map. */
    private void keepLastState(Map<String, INDArray> into) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            into.put(HIDDEN, last.lastHidden());
            INDArray cell = last.lastCell();
            if (cell != null) {
                into.put(CELL, cell);
            }
        }
    }

    /** Runs the forward pass from the given state (none: zeros) and returns the output [m, n, T]. */
    private INDArray forward(Map<String, INDArray> state, boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        checkNoMask();
        INDArray in = permuteIfNWC(input.castTo(dataType));
        if (in.rank() != 3) {
            throw new IllegalStateException("FastRecurrent expects input [minibatch, size, time], got "
                    + java.util.Arrays.toString(in.shape()));
        }
        INDArray w = getParam(FastRecurrentParams.W);
        INDArray rw = getParam(FastRecurrentParams.RW);
        Cell kind = layerConf().getCell();
        if (CpuFloatPass.applies(dataType) && CpuFloatPass.fitsHeap(kind, in.size(2), in.size(0), n())) {
            if (scratch == null) {
                scratch = new CpuFloatPass.Scratch(kind);
            }
            float[][] bias = biasValues();
            CpuFloatPass p = CpuFloatPass.forward(input, in, training, kind, n(), w, rw, bias[0], bias[1],
                    state == null ? null : state.get(HIDDEN), state == null ? null : state.get(CELL), scratch, mgr);
            last = p;
            return permuteIfNWC(p.output());
        }
        Forward f = new Forward(input, training);
        f.m = (int) in.size(0);
        f.steps = (int) in.size(2);
        int m = f.m;
        int t1 = f.steps;
        int n = n();
        int nIn = (int) in.size(1);
        DataType type = dataType;
        f.x = mgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {(long) t1 * m, nIn}, 'c');
        f.x.reshape('c', t1, m, nIn).assign(in.permute(2, 0, 1));
        f.h = mgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {(long) (t1 + 1) * m, n}, 'c');
        initial(step(f.h, 0, m), state == null ? null : state.get(HIDDEN));
        INDArray b = inputSideBias().reshape(1, -1);
        switch (kind) {
            case RNN -> {
                INDArray a = rows(f.h, 1, t1 + 1, m);
                Nd4j.gemm(f.x, w, a, false, false, 1.0, 0.0);
                a.addiRowVector(b);
                for (int t = 0; t < t1; t++) {
                    INDArray at = step(f.h, t + 1, m);
                    Nd4j.gemm(step(f.h, t, m), rw, at, false, false, 1.0, 1.0);
                    Transforms.tanh(at, false);
                }
            }
            case LSTM -> {
                f.c = mgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {(long) (t1 + 1) * m, n}, 'c');
                initial(step(f.c, 0, m), state == null ? null : state.get(CELL));
                f.gates = mgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {(long) t1 * m, 4L * n}, 'c');
                f.aux = mgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {(long) t1 * m, n}, 'c');
                INDArray scratch = mgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {m, n}, 'c');
                Nd4j.gemm(f.x, w, f.gates, false, false, 1.0, 0.0);
                f.gates.addiRowVector(b);
                for (int t = 0; t < t1; t++) {
                    INDArray p = step(f.gates, t, m);
                    Nd4j.gemm(step(f.h, t, m), rw, p, false, false, 1.0, 1.0);
                    INDArray g = cols(p, 0, n);
                    Transforms.tanh(g, false);
                    Transforms.sigmoid(cols(p, n, 4L * n), false);
                    INDArray ct = step(f.c, t + 1, m);
                    cols(p, n, 2L * n).mul(step(f.c, t, m), ct);
                    cols(p, 3L * n, 4L * n).mul(g, scratch);
                    ct.addi(scratch);
                    INDArray tc = step(f.aux, t, m);
                    Nd4j.exec(new Tanh(ct, tc));
                    cols(p, 2L * n, 3L * n).mul(tc, step(f.h, t + 1, m));
                }
            }
            case GRU -> {
                INDArray rb = candidateBias(getParam(FastRecurrentParams.RB)).reshape(1, -1);
                f.gates = mgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {(long) t1 * m, 3L * n}, 'c');
                f.aux = mgr.createUninitialized(ArrayType.ACTIVATIONS, type, new long[] {(long) t1 * m, 3L * n}, 'c');
                Nd4j.gemm(f.x, w, f.gates, false, false, 1.0, 0.0);
                f.gates.addiRowVector(b);
                for (int t = 0; t < t1; t++) {
                    INDArray g = step(f.gates, t, m);
                    INDArray hp = step(f.aux, t, m);
                    INDArray prev = step(f.h, t, m);
                    INDArray ht = step(f.h, t + 1, m);
                    Nd4j.gemm(prev, rw, hp, false, false, 1.0, 0.0);
                    cols(hp, 2L * n, 3L * n).addiRowVector(rb);
                    INDArray rz = cols(g, 0, 2L * n);
                    rz.addi(cols(hp, 0, 2L * n));
                    Transforms.sigmoid(rz, false);
                    INDArray cand = cols(g, 2L * n, 3L * n);
                    INDArray r = cols(g, 0, n);
                    INDArray z = cols(g, n, 2L * n);
                    // candidate = tanh(x W_n + b_n + r * (h RW_n + RB)); h' = candidate + z * (h - candidate)
                    cand.addi(r.mul(cols(hp, 2L * n, 3L * n), ht));
                    Transforms.tanh(cand, false);
                    prev.sub(cand, ht);
                    ht.muli(z);
                    ht.addi(cand);
                }
            }
        }
        last = f;
        INDArray out = rows(f.h, 1, t1 + 1, m).reshape('c', t1, m, n).permute(1, 2, 0);
        return permuteIfNWC(out);
    }

    private static void initial(INDArray target, INDArray state) {
        if (state == null) {
            target.assign(0);
        } else {
            target.assign(state);
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        return tbpttBackpropGradient(epsilon, -1, mgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
                                                          LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        checkNoMask();
        Pass pass = last;
        if (pass == null || !pass.training || pass.input != input) {
            throw new IllegalStateException("FastRecurrent: backprop without the training forward pass of this input");
        }
        if (pass instanceof CpuFloatPass p) {
            return cpuBackward(p, epsilon, tbpttBackLength, mgr);
        }
        Forward f = (Forward) pass;
        int m = f.m;
        int t1 = f.steps;
        int n = n();
        int end = tbpttBackLength > 0 ? Math.max(0, t1 - tbpttBackLength) : 0;
        DataType type = dataType;
        INDArray w = getParam(FastRecurrentParams.W);
        INDArray rw = getParam(FastRecurrentParams.RW);
        INDArray wg = gradientViews.get(FastRecurrentParams.W);
        INDArray rwg = gradientViews.get(FastRecurrentParams.RW);
        INDArray bg = gradientViews.get(FastRecurrentParams.B);
        // dL/dh of every step, time-major.
        INDArray dh = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, new long[] {(long) t1 * m, n}, 'c');
        dh.reshape('c', t1, m, n).assign(permuteIfNWC(epsilon).permute(2, 0, 1));
        PreActivationGrads d = switch (layerConf().getCell()) {
            case RNN -> rnnBackward(f, dh, rw, end, mgr);
            case LSTM -> lstmBackward(f, dh, rw, end, mgr);
            case GRU -> gruBackward(f, dh, rw, end, mgr);
        };
        if (end > 0) {
            rows(d.input(), 0, end, m).assign(0);
            rows(d.recurrent(), 0, end, m).assign(0);
        }
        Nd4j.gemm(rows(f.h, 0, t1, m), d.recurrent(), rwg, true, false, 1.0, 0.0);
        Nd4j.gemm(f.x, d.input(), wg, true, false, 1.0, 0.0);
        d.input().sum(bg, 0);
        if (layerConf().getCell() == Cell.GRU) {
            cols(d.recurrent(), 2L * n, 3L * n).sum(candidateBias(gradientViews.get(FastRecurrentParams.RB)), 0);
        }
        shareBiasGradient();
        int nIn = (int) f.x.size(1);
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, type, new long[] {(long) t1 * m, nIn}, 'c');
        Nd4j.gemm(d.input(), w, eps, false, true, 1.0, 0.0);
        last = null;
        return new Pair<>(layerGradient(), permuteIfNWC(eps.reshape('c', t1, m, nIn).permute(1, 2, 0)));
    }

    private Pair<Gradient, INDArray> cpuBackward(CpuFloatPass p, INDArray epsilon, int tbpttBackLength,
                                                 LayerWorkspaceMgr mgr) {
        INDArray dOut = permuteIfNWC(epsilon);
        int steps = (int) dOut.size(2);
        int end = tbpttBackLength > 0 ? Math.max(0, steps - tbpttBackLength) : 0;
        boolean gru = layerConf().getCell() == Cell.GRU;
        CpuFloatPass.GradientViews views = new CpuFloatPass.GradientViews(gradientViews.get(FastRecurrentParams.W),
                gradientViews.get(FastRecurrentParams.RW), gradientViews.get(FastRecurrentParams.B),
                gru ? candidateBias(gradientViews.get(FastRecurrentParams.RB)) : null);
        INDArray eps = p.backward(dOut, end, getParam(FastRecurrentParams.W),
                getParam(FastRecurrentParams.RW), views, mgr);
        shareBiasGradient();
        last = null;
        return new Pair<>(layerGradient(), permuteIfNWC(eps));
    }

    /** The layer's gradient: its flat gradient array with a view per parameter. */
    private Gradient layerGradient() {
        Gradient grad = new DefaultGradient(gradientsFlattened);
        grad.gradientForVariable().put(FastRecurrentParams.W, gradientViews.get(FastRecurrentParams.W));
        grad.gradientForVariable().put(FastRecurrentParams.RW, gradientViews.get(FastRecurrentParams.RW));
        grad.gradientForVariable().put(FastRecurrentParams.B, gradientViews.get(FastRecurrentParams.B));
        grad.gradientForVariable().put(FastRecurrentParams.RB, gradientViews.get(FastRecurrentParams.RB));
        return grad;
    }

    /**
     * The gradients of a cell's pre-activations over all steps, [T·m, g·n]: on the input side (for {@code W},
     * {@code b} and the layer below) and on the recurrent side (for {@code RW}); the same array except for the GRU,
     * whose candidate's recurrent side is scaled by the reset gate.
     */
    private record PreActivationGrads(INDArray input, INDArray recurrent) {
    }

    /** Sets {@code into} to 1 − a², the derivative of tanh at its output {@code a}. */
    private static void oneMinusSquare(INDArray a, INDArray into) {
        a.mul(a, into);
        into.rsubi(1.0);
    }

    /** Sets {@code into} to s (1 − s), the derivative of the sigmoid at its output {@code s}. */
    private static void sigmoidDerivative(INDArray s, INDArray into) {
        s.mul(s, into);
        into.negi();
        into.addi(s);
    }

    /** Simple RNN backward: dh becomes dL/dz in place, dz_t = (dh_t + dz_{t+1} RW^T) (1 − a_t²). */
    private PreActivationGrads rnnBackward(Forward f, INDArray dh, INDArray rw, int end, LayerWorkspaceMgr mgr) {
        int m = f.m;
        int t1 = f.steps;
        INDArray a = rows(f.h, 1, t1 + 1, m);
        INDArray der = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, a.shape(), 'c');
        oneMinusSquare(a, der);
        for (int t = t1 - 1; t >= end; t--) {
            INDArray d = step(dh, t, m);
            if (t < t1 - 1) {
                Nd4j.gemm(step(dh, t + 1, m), rw, d, false, true, 1.0, 1.0);
            }
            d.muli(step(der, t, m));
        }
        return new PreActivationGrads(dh, dh);
    }

    /** LSTM backward: dL/d(pre-activations) of all steps, [T·m, 4n], in DL4J's gate order (g, f, o, i). */
    private PreActivationGrads lstmBackward(Forward f, INDArray dh, INDArray rw, int end, LayerWorkspaceMgr mgr) {
        int m = f.m;
        int t1 = f.steps;
        int n = n();
        DataType type = dataType;
        INDArray p = f.gates;
        INDArray dp = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, p.shape(), 'c');
        // Derivatives of the activations, for all steps at once: 1 - g^2 and s (1 - s) for the sigmoid gates.
        INDArray der = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, p.shape(), 'c');
        oneMinusSquare(cols(p, 0, n), cols(der, 0, n));
        sigmoidDerivative(cols(p, n, 4L * n), cols(der, n, 4L * n));
        // o (1 - tanh(c)^2), for all steps.
        INDArray dtc = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, f.aux.shape(), 'c');
        oneMinusSquare(f.aux, dtc);
        dtc.muli(cols(p, 2L * n, 3L * n));
        INDArray dc = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, new long[] {m, n}, 'c');
        INDArray dcNext = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, new long[] {m, n}, 'c');
        for (int t = t1 - 1; t >= end; t--) {
            INDArray d = step(dh, t, m);
            INDArray pt = step(p, t, m);
            INDArray dpt = step(dp, t, m);
            if (t < t1 - 1) {
                Nd4j.gemm(step(dp, t + 1, m), rw, d, false, true, 1.0, 1.0);
            }
            d.mul(step(f.aux, t, m), cols(dpt, 2L * n, 3L * n));
            d.mul(step(dtc, t, m), dc);
            if (t < t1 - 1) {
                dc.addi(dcNext);
            }
            dc.mul(step(f.c, t, m), cols(dpt, n, 2L * n));
            dc.mul(cols(pt, 3L * n, 4L * n), cols(dpt, 0, n));
            dc.mul(cols(pt, 0, n), cols(dpt, 3L * n, 4L * n));
            dc.mul(cols(pt, n, 2L * n), dcNext);
            dpt.muli(step(der, t, m));
        }
        return new PreActivationGrads(dp, dp);
    }

    /** GRU backward: dL/d(pre-activations) of all steps, [T·m, 3n] (r, z, candidate), on both sides. */
    private PreActivationGrads gruBackward(Forward f, INDArray dh, INDArray rw, int end, LayerWorkspaceMgr mgr) {
        int m = f.m;
        int t1 = f.steps;
        int n = n();
        DataType type = dataType;
        INDArray g = f.gates;
        INDArray dx = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, g.shape(), 'c');
        INDArray dr = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, g.shape(), 'c');
        // Derivatives for all steps: s (1 - s) for r and z, 1 - c^2 for the candidate.
        INDArray der = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, g.shape(), 'c');
        sigmoidDerivative(cols(g, 0, 2L * n), cols(der, 0, 2L * n));
        oneMinusSquare(cols(g, 2L * n, 3L * n), cols(der, 2L * n, 3L * n));
        INDArray scratch = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, new long[] {m, n}, 'c');
        for (int t = t1 - 1; t >= end; t--) {
            INDArray d = step(dh, t, m);
            INDArray gt = step(g, t, m);
            INDArray hpt = step(f.aux, t, m);
            INDArray dxt = step(dx, t, m);
            INDArray drt = step(dr, t, m);
            INDArray prev = step(f.h, t, m);
            if (t < t1 - 1) {
                // dh_t += dh_{t+1} z_{t+1} (direct path) + drec_{t+1} RW^T
                step(dh, t + 1, m).mul(cols(step(g, t + 1, m), n, 2L * n), scratch);
                d.addi(scratch);
                Nd4j.gemm(step(dr, t + 1, m), rw, d, false, true, 1.0, 1.0);
            }
            INDArray r = cols(gt, 0, n);
            INDArray z = cols(gt, n, 2L * n);
            INDArray cand = cols(gt, 2L * n, 3L * n);
            // d candidate = dh (1 - z); d z = dh (h_prev - candidate)
            INDArray dCand = cols(dxt, 2L * n, 3L * n);
            z.rsub(1.0, dCand);
            dCand.muli(d);
            INDArray dz = cols(dxt, n, 2L * n);
            prev.sub(cand, dz);
            dz.muli(d);
            INDArray dert = step(der, t, m);
            cols(dxt, n, 3L * n).muli(cols(dert, n, 3L * n));
            // d r = dCandPre * (h RW_n + RB); recurrent candidate side = dCandPre * r
            INDArray dHn = cols(hpt, 2L * n, 3L * n);
            dCand.mul(dHn, cols(dxt, 0, n));
            cols(dxt, 0, n).muli(cols(dert, 0, n));
            cols(drt, 0, 2L * n).assign(cols(dxt, 0, 2L * n));
            dCand.mul(r, cols(drt, 2L * n, 3L * n));
        }
        return new PreActivationGrads(dx, dr);
    }
}
