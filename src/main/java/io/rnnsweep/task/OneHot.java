package io.rnnsweep.task;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One-hot encoding of token sequences into DL4J's {@code [sequences, vocabulary, time]} (NCW) layout. */
final class OneHot {
    private OneHot() {
    }

    /**
     * Encodes {@code rows} sequences of {@code length} tokens, where row {@code r} is
     * {@code tokens[start + r * stride ... start + r * stride + length)}.
     */
    static INDArray encode(int[] tokens, int start, int stride, int rows, int length, int vocabulary, DataType type) {
        float[] data = new float[rows * vocabulary * length];
        for (int r = 0; r < rows; r++) {
            int base = r * vocabulary * length;
            for (int t = 0; t < length; t++) {
                data[base + tokens[start + r * stride + t] * length + t] = 1f;
            }
        }
        return Nd4j.create(data, new long[] {rows, vocabulary, length}, 'c').castTo(type);
    }

    /** Encodes each row of {@code sequences} (all the same length). */
    static INDArray encode(int[][] sequences, int vocabulary, DataType type) {
        int rows = sequences.length;
        int length = sequences[0].length;
        int[] flat = new int[rows * length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(sequences[r], 0, flat, r * length, length);
        }
        return encode(flat, 0, length, rows, length, vocabulary, type);
    }

    /** Returns the most likely token at time step {@code t} of sequence {@code row} of a {@code [n, V, T]} output. */
    static int argmax(INDArray output, int row, int t) {
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < output.size(1); v++) {
            double p = output.getDouble(row, v, t);
            if (p > bestValue) {
                bestValue = p;
                best = v;
            }
        }
        return best;
    }
}
