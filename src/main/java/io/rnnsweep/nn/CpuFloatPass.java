package io.rnnsweep.nn;

import io.rnnsweep.trial.Cell;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One forward pass of a {@link FastRecurrent} layer in single precision on ND4J's CPU backend, kept for its
 * backward pass: the matrix products go straight to OpenBLAS on column-major time-major buffers (row
 * {@code t·m + i} is example i at step t), the elementwise part of every step runs in {@link CellKernels} on
 * Java arrays.
 *
 * <p>Time-major column-major is the layout DL4J's output layers reshape without a copy: the hidden states are
 * returned as a view, and the incoming gradient arrives in it. Each step gathers its rows into a Java block,
 * activates it, and scatters the hidden state back for the next step's GEMM; the activations the backward pass
 * needs stay in Java arrays, reused from pass to pass through {@link Scratch}.
 */
final class CpuFloatPass implements FastRecurrentLayer.Pass {
    private final INDArray input;
    private final boolean training;
    private final Cell cell;
    private final int m;
    private final int steps;
    private final int n;
    private final int nIn;
    private final int g;
    private final Scratch s;
    /** Input, [T·m, nIn]. */
    private INDArray x;
    /** The initial hidden state, [m, n]. */
    private INDArray h0;
    /** Hidden states of steps 1..T, [T·m, n]: the layer's output. */
    private INDArray hs;

    private CpuFloatPass(INDArray input, boolean training, Cell cell, int m, int steps, int n, int nIn, Scratch s) {
        this.input = input;
        this.training = training;
        this.cell = cell;
        this.m = m;
        this.steps = steps;
        this.n = n;
        this.nIn = nIn;
        this.g = cell == Cell.RNN ? 1 : cell == Cell.LSTM ? 4 : 3;
        this.s = s;
    }

    /** Whether this path computes the layer: single precision on ND4J's CPU backend. */
    static boolean applies(DataType type) {
        return type == DataType.FLOAT && Nd4j.getEnvironment().isCPU();
    }

    /**
     * Java arrays of a layer's passes, grown as needed and reused: the activations a backward pass reads
     * (hidden states, gates, cell states) and the per-step blocks.
     */
    static final class Scratch {
        float[] h0;
        float[] c0;
        float[] h;
        float[] acts;
        float[] c;
        float[] tc;
        float[] hn;
        float[] pre;
        float[] rec;
        float[] bias;
        float[] rbias;
        float[] dh;
        float[] carry;
        float[] dz;
        float[] dr;

        private static float[] size(float[] a, int length) {
            return a != null && a.length >= length ? a : new float[length];
        }
    }

    /**
     * Runs the forward pass of {@code in} ([m, nIn, T], float) from the given initial state (null: zeros) and
     * returns the pass; {@link #output()} is the layer's activation.
     */
    static CpuFloatPass forward(INDArray input, INDArray in, boolean training, Cell cell, int n,
                                INDArray w, INDArray rw, INDArray b, INDArray rb, INDArray hidden, INDArray cellState,
                                Scratch s, LayerWorkspaceMgr mgr) {
        int m = (int) in.size(0);
        int steps = (int) in.size(2);
        int nIn = (int) in.size(1);
        CpuFloatPass p = new CpuFloatPass(input, training, cell, m, steps, n, nIn, s);
        p.run(in, w, rw, b, rb, hidden, cellState, mgr);
        return p;
    }

    private void run(INDArray in, INDArray w, INDArray rw, INDArray b, INDArray rb, INDArray hidden,
                     INDArray cellState, LayerWorkspaceMgr mgr) {
        int tm = steps * m;
        int gn = g * n;
        int nm = n * m;
        x = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {tm, nIn}, 'f');
        x.reshape('f', m, steps, nIn).assign(in.permute(0, 2, 1));
        h0 = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {m, n}, 'f');
        if (hidden == null) {
            h0.assign(0);
        } else {
            h0.assign(hidden);
        }
        hs = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {tm, n}, 'f');
        INDArray pre = mgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, new long[] {tm, gn}, 'f');
        NativeMatrix xm = NativeMatrix.of(x);
        NativeMatrix wm = NativeMatrix.of(w);
        NativeMatrix rwm = NativeMatrix.of(rw);
        NativeMatrix h0m = NativeMatrix.of(h0);
        NativeMatrix hm = NativeMatrix.of(hs);
        NativeMatrix pm = NativeMatrix.of(pre);
        NativeMatrix.gemm(false, false, tm, gn, nIn, xm.at(0, 0), xm.ld, wm.at(0, 0), wm.ld, 0f, pm.at(0, 0), pm.ld);

        s.h0 = Scratch.size(s.h0, nm);
        s.h = Scratch.size(s.h, tm * n);
        s.pre = Scratch.size(s.pre, m * gn);
        s.bias = Scratch.size(s.bias, m * gn);
        expand(b.toFloatVector(), s.bias);
        h0m.gatherRows(0, m, s.h0, 0);
        NativeMatrix rec = null;
        switch (cell) {
            case LSTM -> {
                s.c0 = Scratch.size(s.c0, nm);
                s.c = Scratch.size(s.c, tm * n);
                s.tc = Scratch.size(s.tc, tm * n);
                s.acts = Scratch.size(s.acts, tm * gn);
                if (cellState == null) {
                    Arrays.fill(s.c0, 0, nm, 0f);
                } else {
                    System.arraycopy(cellState.castTo(DataType.FLOAT).dup('f').data().asFloat(), 0, s.c0, 0, nm);
                }
            }
            case GRU -> {
                s.acts = Scratch.size(s.acts, tm * gn);
                s.hn = Scratch.size(s.hn, tm * n);
                s.rec = Scratch.size(s.rec, m * gn);
                s.rbias = Scratch.size(s.rbias, nm);
                expand(rb.toFloatVector(), s.rbias);
                rec = NativeMatrix.of(mgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT,
                        new long[] {m, gn}, 'f'));
            }
            case RNN -> {
            }
        }
        for (int t = 0; t < steps; t++) {
            FloatPointer prev = t == 0 ? h0m.at(0, 0) : hm.at((long) (t - 1) * m, 0);
            int ldPrev = t == 0 ? h0m.ld : hm.ld;
            if (cell == Cell.GRU) {
                NativeMatrix.gemm(false, false, m, gn, n, prev, ldPrev, rwm.at(0, 0), rwm.ld, 0f, rec.at(0, 0), rec.ld);
                rec.gatherRows(0, m, s.rec, 0);
            } else {
                NativeMatrix.gemm(false, false, m, gn, n, prev, ldPrev, rwm.at(0, 0), rwm.ld, 1f,
                        pm.at((long) t * m, 0), pm.ld);
            }
            pm.gatherRows(t * m, m, s.pre, 0);
            switch (cell) {
                case RNN -> CellKernels.rnnForward(s.pre, s.bias, s.h, t * nm, nm);
                case LSTM -> CellKernels.lstmForward(s.pre, s.bias, t == 0 ? s.c0 : s.c, t == 0 ? 0 : (t - 1) * nm,
                        s.acts, t * m * gn, s.c, t * nm, s.tc, s.h, t * nm, nm);
                case GRU -> CellKernels.gruForward(s.pre, s.bias, s.rec, s.rbias, t == 0 ? s.h0 : s.h,
                        t == 0 ? 0 : (t - 1) * nm, s.acts, t * m * gn, s.hn, t * nm, s.h, t * nm, nm);
            }
            hm.scatterRows(t * m, m, s.h, t * nm);
        }
    }

    /** Writes each of the vector's values m times in a row: a bias as a column-major block of height m. */
    private void expand(float[] vector, float[] block) {
        for (int c = 0; c < vector.length; c++) {
            Arrays.fill(block, c * m, (c + 1) * m, vector[c]);
        }
    }

    /** The layer's activation: the hidden states of steps 1..T as [m, n, T], a view of the time-major buffer. */
    INDArray output() {
        return hs.reshape('f', m, steps, n).permute(0, 2, 1);
    }

    @Override
    public INDArray input() {
        return input;
    }

    @Override
    public boolean training() {
        return training;
    }

    @Override
    public INDArray lastHidden() {
        return hs.get(NDArrayIndex.interval((long) (steps - 1) * m, (long) steps * m), NDArrayIndex.all()).dup('c');
    }

    @Override
    public INDArray lastCell() {
        if (cell != Cell.LSTM) {
            return null;
        }
        int nm = n * m;
        float[] last = Arrays.copyOfRange(s.c, (steps - 1) * nm, steps * nm);
        return Nd4j.create(last, new long[] {m, n}, 'f').dup('c');
    }

    /** The gradients one backward pass writes: views into the layer's flat gradient. */
    record GradientViews(INDArray w, INDArray rw, INDArray b, INDArray rb) {
    }

    /**
     * Backpropagates {@code epsilon} (dL/d output, [m, n, T]) through the pass: writes the parameter gradients
     * into {@code into} and returns dL/d input, [m, nIn, T]. Steps before {@code end} (truncated BPTT) get no
     * gradient.
     */
    INDArray backward(INDArray epsilon, int end, INDArray w, INDArray rw, GradientViews into, LayerWorkspaceMgr mgr) {
        int tm = steps * m;
        int gn = g * n;
        int nm = n * m;
        INDArray dhAll = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {tm, n}, 'f');
        dhAll.reshape('f', m, steps, n).assign(epsilon.permute(0, 2, 1));
        INDArray dzAll = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {tm, gn}, 'f');
        INDArray drAll = cell == Cell.GRU
                ? mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {tm, gn}, 'f')
                : dzAll;
        NativeMatrix dhm = NativeMatrix.of(dhAll);
        NativeMatrix dzm = NativeMatrix.of(dzAll);
        NativeMatrix drm = NativeMatrix.of(drAll);
        NativeMatrix rwm = NativeMatrix.of(rw);
        s.dh = Scratch.size(s.dh, nm);
        s.dz = Scratch.size(s.dz, m * gn);
        s.carry = Scratch.size(s.carry, nm);
        Arrays.fill(s.carry, 0, nm, 0f);
        if (cell == Cell.GRU) {
            s.dr = Scratch.size(s.dr, m * gn);
        }
        for (int t = steps - 1; t >= end; t--) {
            if (t < steps - 1) {
                NativeMatrix.gemm(false, true, m, n, gn, drm.at((long) (t + 1) * m, 0), drm.ld, rwm.at(0, 0), rwm.ld,
                        1f, dhm.at((long) t * m, 0), dhm.ld);
            }
            dhm.gatherRows(t * m, m, s.dh, 0);
            int prev = t == 0 ? 0 : (t - 1) * nm;
            switch (cell) {
                case RNN -> CellKernels.rnnBackward(s.dh, s.h, t * nm, s.dz, nm);
                case LSTM -> CellKernels.lstmBackward(s.dh, s.acts, t * m * gn, t == 0 ? s.c0 : s.c, prev, s.tc,
                        t * nm, s.carry, s.dz, nm);
                case GRU -> CellKernels.gruBackward(s.dh, s.acts, t * m * gn, s.hn, t * nm, t == 0 ? s.h0 : s.h, prev,
                        s.carry, s.dz, s.dr, nm);
            }
            dzm.scatterRows(t * m, m, s.dz, 0);
            if (cell == Cell.GRU) {
                drm.scatterRows(t * m, m, s.dr, 0);
            }
        }
        if (end > 0) {
            dzm.zeroRows(0, end * m);
            if (cell == Cell.GRU) {
                drm.zeroRows(0, end * m);
            }
        }
        NativeMatrix xm = NativeMatrix.of(x);
        NativeMatrix h0m = NativeMatrix.of(h0);
        NativeMatrix hm = NativeMatrix.of(hs);
        NativeMatrix wm = NativeMatrix.of(w);
        NativeMatrix rwg = NativeMatrix.of(into.rw());
        NativeMatrix wg = NativeMatrix.of(into.w());
        // dRW = h_0ᵀ dR_1 + Σ_{t ≥ 1} h_tᵀ dR_{t+1}: the initial state, then the kept hidden states.
        NativeMatrix.gemm(true, false, n, gn, m, h0m.at(0, 0), h0m.ld, drm.at(0, 0), drm.ld, 0f, rwg.at(0, 0), rwg.ld);
        if (steps > 1) {
            NativeMatrix.gemm(true, false, n, gn, (steps - 1) * m, hm.at(0, 0), hm.ld, drm.at(m, 0), drm.ld, 1f,
                    rwg.at(0, 0), rwg.ld);
        }
        NativeMatrix.gemm(true, false, nIn, gn, tm, xm.at(0, 0), xm.ld, dzm.at(0, 0), dzm.ld, 0f, wg.at(0, 0), wg.ld);
        INDArray ones = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {tm, 1}, 'f');
        ones.assign(1);
        FloatPointer onesAt = NativeMatrix.of(ones).at(0, 0);
        dzm.columnSums(0, gn, onesAt, NativeMatrix.of(into.b().reshape(1, gn)).at(0, 0));
        if (cell == Cell.GRU) {
            drm.columnSums(2 * n, n, onesAt, NativeMatrix.of(into.rb().reshape(1, n)).at(0, 0));
        }
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[] {tm, nIn}, 'f');
        NativeMatrix em = NativeMatrix.of(eps);
        NativeMatrix.gemm(false, true, tm, nIn, gn, dzm.at(0, 0), dzm.ld, wm.at(0, 0), wm.ld, 0f, em.at(0, 0), em.ld);
        return eps.reshape('f', m, steps, nIn).permute(0, 2, 1);
    }
}
