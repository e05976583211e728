package io.rnnsweep.nn;

/**
 * The elementwise part of one time step of each cell, in single precision on Java arrays, written as flat counted
 * loops the JIT compiles to SIMD code.
 *
 * <p>A step's block holds the minibatch's rows of every gate column-major: row {@code i} of column {@code c} at
 * {@code c·m + i}, so gate {@code j} of a {@code g}-gate cell is the contiguous range {@code [j·nm, (j+1)·nm)}
 * with {@code nm = n·m}. Gate orders are DL4J's: LSTM (g, f, o, i), GRU (r, z, candidate). Biases arrive expanded
 * to block shape. Activations use {@link #tanh(float)}, a rational approximation within 4e-7 of the exact value.
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

    /** Simple RNN forward: {@code h[ho + k] = tanh(pre[k] + bias[k])}. */
    static void rnnForward(float[] pre, float[] bias, float[] h, int ho, int nm) {
        for (int k = 0; k < nm; k++) {
            h[ho + k] = tanh(pre[k] + bias[k]);
        }
    }

    /** Simple RNN backward: {@code dz[k] = dh[k] (1 − a²)} with {@code a = h[ho + k]}, the step's output. */
    static void rnnBackward(float[] dh, float[] h, int ho, float[] dz, int nm) {
        for (int k = 0; k < nm; k++) {
            float a = h[ho + k];
            dz[k] = dh[k] * (1f - a * a);
        }
    }

    /**
     * LSTM forward: activates the gates of {@code pre + bias} into {@code acts[ao..]}, and writes the cell state
     * {@code c = f·cPrev + i·g} to {@code c[co..]}, its tanh to {@code tc[co..]} and {@code h = o·tanh(c)} to
     * {@code h[ho..]}.
     */
    static void lstmForward(float[] pre, float[] bias, float[] cPrev, int cpo, float[] acts, int ao,
                            float[] c, int co, float[] tc, float[] h, int ho, int nm) {
        for (int k = 0; k < nm; k++) {
            float g = tanh(pre[k] + bias[k]);
            float f = sigmoid(pre[nm + k] + bias[nm + k]);
            float o = sigmoid(pre[2 * nm + k] + bias[2 * nm + k]);
            float i = sigmoid(pre[3 * nm + k] + bias[3 * nm + k]);
            float cell = f * cPrev[cpo + k] + i * g;
            float t = tanh(cell);
            acts[ao + k] = g;
            acts[ao + nm + k] = f;
            acts[ao + 2 * nm + k] = o;
            acts[ao + 3 * nm + k] = i;
            c[co + k] = cell;
            tc[co + k] = t;
            h[ho + k] = o * t;
        }
    }

    /**
     * LSTM backward through one step: from dL/dh of the step and {@code carry} (dL/dc of the next step times its
     * forget gate; zeros at the last step) writes the pre-activation gradients of the four gates to {@code dz} and
     * replaces {@code carry} with this step's dL/dc times its forget gate.
     */
    static void lstmBackward(float[] dh, float[] acts, int ao, float[] cPrev, int cpo, float[] tc, int co,
                             float[] carry, float[] dz, int nm) {
        for (int k = 0; k < nm; k++) {
            float g = acts[ao + k];
            float f = acts[ao + nm + k];
            float o = acts[ao + 2 * nm + k];
            float i = acts[ao + 3 * nm + k];
            float t = tc[co + k];
            float d = dh[k];
            float dc = d * o * (1f - t * t) + carry[k];
            dz[k] = dc * i * (1f - g * g);
            dz[nm + k] = dc * cPrev[cpo + k] * f * (1f - f);
            dz[2 * nm + k] = d * t * o * (1f - o);
            dz[3 * nm + k] = dc * g * i * (1f - i);
            carry[k] = dc * f;
        }
    }

    /**
     * GRU forward (PyTorch's equations): {@code r = σ(x_r + rec_r)}, {@code z = σ(x_z + rec_z)},
     * {@code hn = rec_n + RB}, {@code cand = tanh(x_n + r·hn)}, {@code h = cand + z (hPrev − cand)}, where
     * {@code x = pre + bias} is the input projection and {@code rec} the recurrent one. Keeps r, z and cand in
     * {@code acts[ao..]} and hn in {@code hn[no..]} for the backward pass.
     */
    static void gruForward(float[] pre, float[] bias, float[] rec, float[] rbias, float[] hPrev, int hpo,
                           float[] acts, int ao, float[] hn, int no, float[] h, int ho, int nm) {
        for (int k = 0; k < nm; k++) {
            float r = sigmoid(pre[k] + bias[k] + rec[k]);
            float z = sigmoid(pre[nm + k] + bias[nm + k] + rec[nm + k]);
            float n = rec[2 * nm + k] + rbias[k];
            float cand = tanh(pre[2 * nm + k] + bias[2 * nm + k] + r * n);
            acts[ao + k] = r;
            acts[ao + nm + k] = z;
            acts[ao + 2 * nm + k] = cand;
            hn[no + k] = n;
            h[ho + k] = cand + z * (hPrev[hpo + k] - cand);
        }
    }

    /**
     * GRU backward through one step: from dL/dh of the step and {@code carry} (the next step's dL/dh times its z;
     * zeros at the last step) writes the input-side pre-activation gradients (r, z, candidate) to {@code dx}, the
     * recurrent-side ones (the candidate's scaled by r) to {@code dr}, and replaces {@code carry} with this step's
     * dL/dh times its z.
     */
    static void gruBackward(float[] dh, float[] acts, int ao, float[] hn, int no, float[] hPrev, int hpo,
                            float[] carry, float[] dx, float[] dr, int nm) {
        for (int k = 0; k < nm; k++) {
            float r = acts[ao + k];
            float z = acts[ao + nm + k];
            float cand = acts[ao + 2 * nm + k];
            float d = dh[k] + carry[k];
            float dn = d * (1f - z) * (1f - cand * cand);
            float dzv = d * (hPrev[hpo + k] - cand) * z * (1f - z);
            float drv = dn * hn[no + k] * r * (1f - r);
            dx[k] = drv;
            dx[nm + k] = dzv;
            dx[2 * nm + k] = dn;
            dr[k] = drv;
            dr[nm + k] = dzv;
            dr[2 * nm + k] = dn * r;
            carry[k] = d * z;
        }
    }
}
