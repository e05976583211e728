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
final class CpuFloatPass extends FastRecurrentLayer.Pass {
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
        super(input, training);
        this.cell = cell;
        this.m = m;
        this.steps = steps;
        this.n = n;
        this.nIn = nIn;
        this.g = FastRecurrent.gates(cell);
        this.s = s;
    }

    /** Whether this path can compute the layer: single precision on ND4J's CPU backend. */
    static boolean applies(DataType type) {
        return type == DataType.FLOAT && Nd4j.getEnvironment().isCPU();
    }

    /**
     * Whether a pass of this shape fits the JVM heap: its Java arrays (per step the gates and the LSTM's cell
     * states) may take at most a quarter of the maximum heap; larger passes (a small executor heap, a long
     * sequence) run in ND4J operations off the heap.
     */
    static boolean fitsHeap(Cell cell, long steps, long m, long n) {
        long bytes = 4L * steps * m * n * Scratch.blocksPerStep(cell);
        return bytes <= Runtime.getRuntime().maxMemory() / 4;
    }

    /**
     * Java arrays of a layer's passes, reused from pass to pass while the shape stays: per step the activations a
     * backward pass reads (gates, cell states; the hidden states it gathers from the layer's output), and one
     * step's blocks (hidden states, gathered pre-activations, biases, gradients). Every array is one block of
     * {@code n·m} floats.
     */
    static final class Scratch {
        private final Cell cell;
        private final int gates;
        private int nm;
        float[] h0;
        float[] c0;
        /** This step's hidden state, and the previous step's (the backward pass gathers them from the output). */
        float[] h;
        float[] hPrev;
        /** Per step and gate: activations (LSTM g, f, o, i; GRU r, z, candidate); none for the RNN. */
        float[][][] acts = new float[0][][];
        /** Per step: LSTM cell state; GRU h·RW_n + RB; none for the RNN. */
        float[][] c = new float[0][];
        /** Per step: LSTM tanh of the cell state; none for the other cells. */
        float[][] tc = new float[0][];
        float[][] pre;
        float[][] rec;
        float[][] bias;
        float[] rbias;
        float[] dh;
        float[] carry;
        float[] tmp;
        float[] dnRec;
        float[][] dz;

        /** Arrays for a layer of this cell. */
        Scratch(Cell cell) {
            this.cell = cell;
            this.gates = FastRecurrent.gates(cell);
        }

        /**
         * How many blocks a step keeps for the backward pass: the gates and cell states where it has them (hidden
         * states stay in the layer's output only).
         */
        static int blocksPerStep(Cell cell) {
            return switch (cell) {
                case RNN -> 0;
                case LSTM -> 4 + 2;
                case GRU -> 3 + 1;
            };
        }

        /** Makes room for {@code steps} steps of blocks of {@code nm} floats. */
        void shape(int steps, int nm) {
            if (nm != this.nm) {
                this.nm = nm;
                h0 = new float[nm];
                c0 = new float[nm];
                h = new float[nm];
                hPrev = new float[nm];
                acts = new float[0][][];
                c = new float[0][];
                tc = new float[0][];
                pre = new float[gates][nm];
                rec = new float[gates][nm];
                bias = new float[gates][nm];
                rbias = new float[nm];
                dh = new float[nm];
                carry = new float[nm];
                tmp = new float[nm];
                dnRec = new float[nm];
                dz = new float[gates][nm];
            }
            if (cell != Cell.RNN && c.length < steps) {
                c = grow(c, steps, nm);
                float[][][] more = Arrays.copyOf(acts, steps);
                for (int t = acts.length; t < steps; t++) {
                    more[t] = new float[gates][nm];
                }
                acts = more;
                if (cell == Cell.LSTM) {
                    tc = grow(tc, steps, nm);
                }
            }
        }

        private static float[][] grow(float[][] blocks, int steps, int nm) {
            float[][] more = Arrays.copyOf(blocks, steps);
            for (int t = blocks.length; t < steps; t++) {
                more[t] = new float[nm];
            }
            return more;
        }
    }

    /**
     * Runs the forward pass of {@code in} ([m, nIn, T], float) from the given initial state (null: zeros) and
     * returns the pass; {@link #output()} is the layer's activation. {@code bias} is the input side's ({@code b}
     * plus the merged part of {@code RB}), {@code candidateBias} the GRU's {@code b_hn} (unused by the others).
     */
    static CpuFloatPass forward(INDArray input, INDArray in, boolean training, Cell cell, int n,
                                INDArray w, INDArray rw, float[] bias, float[] candidateBias, INDArray hidden,
                                INDArray cellState, Scratch s, LayerWorkspaceMgr mgr) {
        int m = (int) in.size(0);
        int steps = (int) in.size(2);
        int nIn = (int) in.size(1);
        CpuFloatPass p = new CpuFloatPass(input, training, cell, m, steps, n, nIn, s);
        p.run(in, w, rw, bias, candidateBias, hidden, cellState, mgr);
        return p;
    }

    private void run(INDArray in, INDArray w, INDArray rw, float[] bias, float[] candidateBias, INDArray hidden,
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

        s.shape(steps, nm);
        for (int j = 0; j < g; j++) {
            expand(bias, j * n, s.bias[j]);
        }
        h0m.gatherRows(0, m, 0, n, s.h0);
        NativeMatrix rec = null;
        if (cell == Cell.LSTM) {
            if (cellState == null) {
                Arrays.fill(s.c0, 0f);
            } else {
                System.arraycopy(cellState.castTo(DataType.FLOAT).dup('f').data().asFloat(), 0, s.c0, 0, nm);
            }
        } else if (cell == Cell.GRU) {
            expand(candidateBias, 0, s.rbias);
            rec = NativeMatrix.of(mgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT,
                    new long[] {m, gn}, 'f'));
        }
        FloatPointer rwAt = rwm.at(0, 0);
        for (int t = 0; t < steps; t++) {
            FloatPointer prev = t == 0 ? h0m.at(0, 0) : hm.at((long) (t - 1) * m, 0);
            int ldPrev = t == 0 ? h0m.ld : hm.ld;
            if (cell == Cell.GRU) {
                NativeMatrix.gemm(false, false, m, gn, n, prev, ldPrev, rwAt, rwm.ld, 0f, rec.at(0, 0), rec.ld);
            } else {
                NativeMatrix.gemm(false, false, m, gn, n, prev, ldPrev, rwAt, rwm.ld, 1f,
                        pm.at((long) t * m, 0), pm.ld);
            }
            for (int j = 0; j < g; j++) {
                pm.gatherRows(t * m, m, j * n, n, s.pre[j]);
                if (rec != null) {
                    rec.gatherRows(0, m, j * n, n, s.rec[j]);
                }
            }
            float[] hPrev = t == 0 ? s.h0 : s.hPrev;
            float[][] a = cell == Cell.RNN ? null : s.acts[t];
            switch (cell) {
                case RNN -> CellKernels.tanh(s.pre[0], s.bias[0], s.h, nm);
                case LSTM -> {
                    CellKernels.tanh(s.pre[0], s.bias[0], a[0], nm);
                    for (int j = 1; j < 4; j++) {
                        CellKernels.sigmoid(s.pre[j], s.bias[j], a[j], nm);
                    }
                    CellKernels.lstmCell(a[1], t == 0 ? s.c0 : s.c[t - 1], a[3], a[0], a[2], s.c[t], s.tc[t], s.h, nm);
                }
                case GRU -> {
                    CellKernels.sigmoid(s.pre[0], s.bias[0], s.rec[0], a[0], nm);
                    CellKernels.sigmoid(s.pre[1], s.bias[1], s.rec[1], a[1], nm);
                    CellKernels.gruCandidate(s.pre[2], s.bias[2], s.rec[2], s.rbias, a[0], a[1], hPrev, s.c[t], a[2],
                            s.h, nm);
                }
            }
            hm.scatterRows(t * m, m, 0, n, s.h);
            float[] swap = s.hPrev;
            s.hPrev = s.h;
            s.h = swap;
        }
    }

    /** Writes values {@code [from, from + block.length / m)} of the vector m times each: a column-major block. */
    private void expand(float[] vector, int from, float[] block) {
        for (int c = 0; c < block.length / m; c++) {
            Arrays.fill(block, c * m, (c + 1) * m, vector[from + c]);
        }
    }

    /** The layer's activation: the hidden states of steps 1..T as [m, n, T], a view of the time-major buffer. */
    INDArray output() {
        return hs.reshape('f', m, steps, n).permute(0, 2, 1);
    }

    @Override
    INDArray lastHidden() {
        return hs.get(NDArrayIndex.interval((long) (steps - 1) * m, (long) steps * m), NDArrayIndex.all()).dup('c');
    }

    @Override
    INDArray lastCell() {
        if (cell != Cell.LSTM) {
            return null;
        }
        return Nd4j.create(s.c[steps - 1], new long[] {m, n}, 'f').dup('c');
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
        // dL/dh of every step, [T·m, n], accumulated in place: the incoming gradient itself when it arrives in this
        // layout (from FastRnnOutput, or a FastRecurrent above), as DL4J's layers modify theirs; a copy otherwise.
        INDArray dhAll = epsilon.permute(0, 2, 1).reshape('f', tm, n);
        if (dhAll.dataType() != DataType.FLOAT || dhAll.ordering() != 'f' || dhAll.stride(0) != 1
                || dhAll.stride(1) != tm) {
            INDArray copy = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {tm, n}, 'f');
            dhAll = copy.assign(dhAll);
        }
        // The RNN's dL/dz of a step replaces its dL/dh, read just before (one buffer less to keep in cache).
        INDArray dzAll = cell == Cell.RNN ? dhAll
                : mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {tm, gn}, 'f');
        INDArray drAll = cell == Cell.GRU
                ? mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[] {tm, gn}, 'f')
                : dzAll;
        NativeMatrix dhm = NativeMatrix.of(dhAll);
        NativeMatrix dzm = NativeMatrix.of(dzAll);
        NativeMatrix drm = NativeMatrix.of(drAll);
        NativeMatrix rwm = NativeMatrix.of(rw);
        NativeMatrix hm = NativeMatrix.of(hs);
        FloatPointer rwAt = rwm.at(0, 0);
        Arrays.fill(s.carry, 0f);
        for (int t = steps - 1; t >= end; t--) {
            if (t < steps - 1) {
                NativeMatrix.gemm(false, true, m, n, gn, drm.at((long) (t + 1) * m, 0), drm.ld, rwAt, rwm.ld,
                        1f, dhm.at((long) t * m, 0), dhm.ld);
            }
            dhm.gatherRows(t * m, m, 0, n, s.dh);
            // The hidden states the cell's derivative needs, from the layer's output: the RNN's h_t, the GRU's h_t-1.
            float[] hPrev = s.h0;
            if (cell == Cell.RNN) {
                hm.gatherRows(t * m, m, 0, n, s.h);
            } else if (cell == Cell.GRU && t > 0) {
                hm.gatherRows((t - 1) * m, m, 0, n, s.hPrev);
                hPrev = s.hPrev;
            }
            float[][] a = cell == Cell.RNN ? null : s.acts[t];
            float[][] dz = s.dz;
            switch (cell) {
                case RNN -> CellKernels.rnnBackward(s.dh, s.h, dz[0], nm);
                case LSTM -> CellKernels.lstmBackward(s.dh, a[0], a[1], a[2], a[3], t == 0 ? s.c0 : s.c[t - 1], s.tc[t],
                        s.carry, s.tmp, dz[0], dz[1], dz[2], dz[3], nm);
                case GRU -> CellKernels.gruBackward(s.dh, a[0], a[1], a[2], s.c[t], hPrev, s.carry, s.tmp, dz[0], dz[1],
                        dz[2], s.dnRec, nm);
            }
            for (int j = 0; j < g; j++) {
                dzm.scatterRows(t * m, m, j * n, n, dz[j]);
            }
            if (cell == Cell.GRU) {
                // The recurrent side: r and z as on the input side, the candidate's scaled by r.
                drm.scatterRows(t * m, m, 0, n, dz[0]);
                drm.scatterRows(t * m, m, n, n, dz[1]);
                drm.scatterRows(t * m, m, 2 * n, n, s.dnRec);
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
        dzm.columnSums(0, gn, into.b());
        if (cell == Cell.GRU) {
            drm.columnSums(2 * n, n, into.rb());
        }
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[] {tm, nIn}, 'f');
        NativeMatrix em = NativeMatrix.of(eps);
        NativeMatrix.gemm(false, true, tm, nIn, gn, dzm.at(0, 0), dzm.ld, wm.at(0, 0), wm.ld, 0f, em.at(0, 0), em.ld);
        return eps.reshape('f', m, steps, nIn).permute(0, 2, 1);
    }
}
