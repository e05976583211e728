package io.rnnsweep.nn;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A single-precision column-major matrix in ND4J's native memory, seen through its address (for OpenBLAS, the
 * library and thread setting ND4J's CPU backend uses) and a buffer (for Java loops): row {@code i} of column
 * {@code c} at {@code i + c·ld}. Only for ND4J's CPU backend.
 */
final class NativeMatrix {
    /** Per thread (a trial trains on one): a column of ones for {@link #columnSums}. */
    private static final ThreadLocal<FloatPointer> ONES = new ThreadLocal<>();

    final int rows;
    final int cols;
    final int ld;
    private final FloatPointer base;
    private final FloatBuffer buffer;

    private NativeMatrix(INDArray a, int rows, int cols, int ld) {
        this.rows = rows;
        this.cols = cols;
        this.ld = ld;
        long extent = (long) (cols - 1) * ld + rows;
        base = new FloatPointer(a.data().addressPointer());
        base.capacity(extent).limit(extent);
        buffer = base.asBuffer();
    }

    /** Views a rank-2 float array whose rows are adjacent in memory (an 'f'-ordered array or a row range of one). */
    static NativeMatrix of(INDArray a) {
        if (a.rank() != 2 || a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("a float matrix is needed, got " + a.dataType() + " rank " + a.rank());
        }
        int rows = (int) a.size(0);
        int cols = (int) a.size(1);
        if (rows > 1 && a.stride(0) != 1) {
            throw new IllegalArgumentException("not column-major: strides " + java.util.Arrays.toString(a.stride()));
        }
        return new NativeMatrix(a, rows, cols, cols > 1 ? (int) a.stride(1) : rows);
    }

    /**
     * Views a contiguous float vector (rank 1, or a row or a column) as one column, without the reshaped view ND4J
     * would make for it: every view is a native buffer the garbage collector has to track.
     */
    static NativeMatrix column(INDArray vector) {
        if (vector.dataType() != DataType.FLOAT || vector.rank() > 2) {
            throw new IllegalArgumentException("a float vector is needed, got " + vector.dataType() + " rank "
                    + vector.rank());
        }
        long length = vector.length();
        boolean contiguous = length <= 1;
        for (int d = 0; d < vector.rank() && !contiguous; d++) {
            contiguous = vector.size(d) == length && vector.stride(d) == 1;
        }
        if (!contiguous) {
            throw new IllegalArgumentException("not a contiguous vector: shape " + java.util.Arrays.toString(
                    vector.shape()) + ", strides " + java.util.Arrays.toString(vector.stride()));
        }
        return new NativeMatrix(vector, (int) length, 1, (int) length);
    }

    /** The address of element ({@code row}, {@code col}). */
    FloatPointer at(long row, long col) {
        return new FloatPointer(base).position(row + col * ld);
    }

    /**
     * Copies rows {@code [row, row + count)} of columns {@code [col, col + width)} into {@code dst}, column-major
     * with height count.
     */
    void gatherRows(int row, int count, int col, int width, float[] dst) {
        if (ld == count) {
            buffer.get(row + col * ld, dst, 0, count * width);
            return;
        }
        for (int c = 0; c < width; c++) {
            buffer.get(row + (col + c) * ld, dst, c * count, count);
        }
    }

    /** Writes {@code src} (column-major, height count) to rows {@code [row, row + count)} of columns from col. */
    void scatterRows(int row, int count, int col, int width, float[] src) {
        if (ld == count) {
            buffer.put(row + col * ld, src, 0, count * width);
            return;
        }
        for (int c = 0; c < width; c++) {
            buffer.put(row + (col + c) * ld, src, c * count, count);
        }
    }

    /**
     * Copies the values of {@code vector}, a contiguous float vector in native memory, into {@code into} when it
     * has their number (else into a new array), and returns it.
     */
    static float[] values(INDArray vector, float[] into) {
        int size = (int) vector.length();
        float[] copy = into != null && into.length == size ? into : new float[size];
        column(vector).gatherRows(0, size, 0, 1, copy);
        return copy;
    }

    /** Copies the first {@code count} values of contiguous float vector {@code from} over those of {@code to}. */
    static void copyPrefix(INDArray from, INDArray to, int count) {
        column(to).buffer.put(0, column(from).buffer, 0, count);
    }

    /** Sets rows {@code [row, row + count)} of every column to zero. */
    void zeroRows(int row, int count) {
        float[] zeros = new float[count];
        for (int c = 0; c < cols; c++) {
            buffer.put(row + c * ld, zeros, 0, count);
        }
    }

    /**
     * {@code C = op(A)·op(B) + beta·C} for column-major operands given by their first element's address and
     * leading dimension; {@code C} is m×n, the inner dimension k.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, FloatPointer a, int lda,
                     FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasColMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, 1f, a, lda, b, ldb, beta, c, ldc);
    }

    /**
     * Writes the sums over all rows of columns {@code [col, col + count)} to {@code into}, a contiguous vector of
     * that length (a bias gradient): one GEMV against a column of ones (the thread's, made once).
     */
    void columnSums(int col, int count, INDArray into) {
        openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasColMajor, openblas_nolapack.CblasTrans,
                rows, count, 1f, at(0, col), ld, ones(rows), 1, 0f, column(into).at(0, 0), 1);
    }

    /** Returns this thread's column of at least {@code length} ones in native memory, grown when too short. */
    private static FloatPointer ones(int length) {
        FloatPointer ones = ONES.get();
        if (ones == null || ones.capacity() < length) {
            if (ones != null) {
                ones.close();
            }
            float[] values = new float[Math.max(length, 64)];
            java.util.Arrays.fill(values, 1f);
            ones = new FloatPointer(values);
            ONES.set(ones);
        }
        return ones;
    }

}
