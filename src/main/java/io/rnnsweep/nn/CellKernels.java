package io.rnnsweep.nn;

/**
 * The elementwise part of one time step of each cell, in single precision on Java arrays, written as loops the
 * JIT compiles to SIMD code.
 *
 * <p>Every array is one gate's (or state's) block of a step, the minibatch's rows column-major: row {@code i} of
 * unit {@code c} at {@code c·m + i}; biases arrive expanded to block shape. Each loop reads and writes only index
 * {@code k} of whole arrays and calls at most one activation: C2 vectorises such loops and gives up on offset
 * indices (which might alias) and on large bodies. Activations use {@link #tanh(float)}, a rational approximation
 * within 4e-7 of the exact value.
 */
final class CellKernels {
    private static final float CLAMP = 7.90531110763549805f;
    private static final float A1 = 4.89352455891786e-03f;
    private static final float A3 = 6.37261928875436e-04f;
    private static final float A5 = 1.48572235717979e-05f;
    private static final float A7 = 5.12229709037114e-08f;
    private static final float A9 = -8.60467152213735e-11f;
    private static final float A11 = 2.00018790482477e-13f;
    private static final float A13 = -2.76076847742355e-16f;
    private static final float B0 = 4.89352518554385e-03f;
    private static final float B2 = 2.26843463243900e-03f;
    private static final float B4 = 1.18534705686654e-04f;
    private static final float B6 = 1.19825839466702e-06f;

    private CellKernels() {
    }

    /**
     * Returns tanh(x) in single precision: a 13/6 rational minimax approximation on [−7.9, 7.9] (beyond, tanh is
     * 1 to float precision), branch-free so that loops over it vectorise.
     */
    static float tanh(float v) {
        float x = Math.max(-CLAMP, Math.min(CLAMP, v));
        float x2 = x * x;
        float p = x2 * A13 + A11;
        p = p * x2 + A9;
        p = p * x2 + A7;
        p = p * x2 + A5;
        p = p * x2 + A3;
        p = p * x2 + A1;
        p = p * x;
        float q = x2 * B6 + B4;
        q = q * x2 + B2;
        q = q * x2 + B0;
        return p / q;
    }

    /** Returns the logistic sigmoid of x, through the identity σ(x) = (1 + tanh(x/2)) / 2. */
    static float sigmoid(float x) {
        return 0.5f + 0.5f * tanh(0.5f * x);
    }

    /** {@code out = tanh(pre + bias)}. */
    static void tanh(float[] pre, float[] bias, float[] out, int len) {
        for (int k = 0; k < len; k++) {
            out[k] = tanh(pre[k] + bias[k]);
        }
    }

    /** {@code out = σ(pre + bias)}. */
    static void sigmoid(float[] pre, float[] bias, float[] out, int len) {
        for (int k = 0; k < len; k++) {
            out[k] = sigmoid(pre[k] + bias[k]);
        }
    }

    /** {@code out = σ(pre + bias + rec)}: a GRU gate from its input and recurrent projections. */
    static void sigmoid(float[] pre, float[] bias, float[] rec, float[] out, int len) {
        for (int k = 0; k < len; k++) {
            out[k] = sigmoid(pre[k] + bias[k] + rec[k]);
        }
    }

    /** Simple RNN backward: {@code dz = dh (1 − h²)}, h the step's output. */
    static void rnnBackward(float[] dh, float[] h, float[] dz, int len) {
        for (int k = 0; k < len; k++) {
            float a = h[k];
            dz[k] = dh[k] * (1f - a * a);
        }
    }

    /** LSTM cell update from activated gates: {@code c = f·cPrev + i·g}, {@code tc = tanh(c)}, {@code h = o·tc}. */
    static void lstmCell(float[] f, float[] cPrev, float[] i, float[] g, float[] o, float[] c, float[] tc, float[] h,
                         int len) {
        for (int k = 0; k < len; k++) {
            c[k] = f[k] * cPrev[k] + i[k] * g[k];
        }
        for (int k = 0; k < len; k++) {
            tc[k] = tanh(c[k]);
        }
        for (int k = 0; k < len; k++) {
            h[k] = o[k] * tc[k];
        }
    }

    /**
     * LSTM backward through one step: from dL/dh and {@code carry} (the next step's dL/dc times its forget gate;
     * zeros at the last step) writes the gates' pre-activation gradients and replaces {@code carry} with this
     * step's dL/dc times its forget gate. {@code dc} is scratch.
     */
    static void lstmBackward(float[] dh, float[] g, float[] f, float[] o, float[] i, float[] cPrev, float[] tc,
                             float[] carry, float[] dc, float[] dg, float[] df, float[] dO, float[] di, int len) {
        for (int k = 0; k < len; k++) {
            float t = tc[k];
            float ok = o[k];
            dc[k] = dh[k] * ok * (1f - t * t) + carry[k];
            dO[k] = dh[k] * t * ok * (1f - ok);
        }
        for (int k = 0; k < len; k++) {
            float gk = g[k];
            float ik = i[k];
            dg[k] = dc[k] * ik * (1f - gk * gk);
            di[k] = dc[k] * gk * ik * (1f - ik);
        }
        for (int k = 0; k < len; k++) {
            float fk = f[k];
            df[k] = dc[k] * cPrev[k] * fk * (1f - fk);
            carry[k] = dc[k] * fk;
        }
    }

    /**
     * GRU candidate and output (PyTorch's equations): {@code hn = rec_n + RB}, {@code cand = tanh(x_n + r·hn)},
     * {@code h = cand + z (hPrev − cand)}, where {@code x_n = pre + bias} is the candidate's input projection.
     */
    static void gruCandidate(float[] pre, float[] bias, float[] rec, float[] rbias, float[] r, float[] z,
                             float[] hPrev, float[] hn, float[] cand, float[] h, int len) {
        for (int k = 0; k < len; k++) {
            hn[k] = rec[k] + rbias[k];
        }
        for (int k = 0; k < len; k++) {
            cand[k] = tanh(pre[k] + bias[k] + r[k] * hn[k]);
        }
        for (int k = 0; k < len; k++) {
            h[k] = cand[k] + z[k] * (hPrev[k] - cand[k]);
        }
    }

    /**
     * GRU backward through one step: from dL/dh and {@code carry} (the next step's dL/dh times its z; zeros at the
     * last step) writes the pre-activation gradients of r, z and the candidate ({@code dn}; its recurrent side,
     * scaled by r, to {@code dnRec}) and replaces {@code carry} with this step's dL/dh times its z. {@code d} is
     * scratch.
     */
    static void gruBackward(float[] dh, float[] r, float[] z, float[] cand, float[] hn, float[] hPrev,
                            float[] carry, float[] d, float[] dr, float[] dz, float[] dn, float[] dnRec, int len) {
        for (int k = 0; k < len; k++) {
            d[k] = dh[k] + carry[k];
            carry[k] = d[k] * z[k];
        }
        for (int k = 0; k < len; k++) {
            float zk = z[k];
            float c = cand[k];
            dn[k] = d[k] * (1f - zk) * (1f - c * c);
            dz[k] = d[k] * (hPrev[k] - c) * zk * (1f - zk);
        }
        for (int k = 0; k < len; k++) {
            float rk = r[k];
            dr[k] = dn[k] * hn[k] * rk * (1f - rk);
            dnRec[k] = dn[k] * rk;
        }
    }
}
