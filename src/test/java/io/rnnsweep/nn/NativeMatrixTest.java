package io.rnnsweep.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The CPU path's native views of ND4J vectors: read and written where ND4J keeps them, without reshaped views. */
class NativeMatrixTest {
    private static INDArray range(long... shape) {
        return Nd4j.arange(0, shapeLength(shape)).castTo(DataType.FLOAT).reshape('c', shape);
    }

    private static long shapeLength(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    @Test
    void valuesReadRowsColumnsAndSlicesOfAFlatVectorFromWhereTheyStart() {
        INDArray flat = range(1, 10);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, NativeMatrix.values(flat, null));
        INDArray slice = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 7));
        assertArrayEquals(new float[] {3, 4, 5, 6}, NativeMatrix.values(slice, new float[4]));
        assertArrayEquals(new float[] {3, 4, 5, 6}, NativeMatrix.values(slice.reshape(4, 1), null));
        assertArrayEquals(new float[] {2, 3}, NativeMatrix.values(range(2).addi(2), null), "rank 1");
    }

    @Test
    void aVectorWhoseValuesAreNotAdjacentIsRefused() {
        INDArray matrix = range(3, 4);
        INDArray strided = matrix.get(NDArrayIndex.all(), NDArrayIndex.point(1));
        assertThrows(IllegalArgumentException.class, () -> NativeMatrix.values(strided, null));
        assertThrows(IllegalArgumentException.class, () -> NativeMatrix.values(matrix, null));
        assertThrows(IllegalArgumentException.class,
                () -> NativeMatrix.values(range(1, 4).castTo(DataType.DOUBLE), null));
    }

    @Test
    void copyPrefixOverwritesOnlyTheFirstValuesOfTheTargetSlice() {
        INDArray from = range(1, 6);
        INDArray flat = Nd4j.zeros(DataType.FLOAT, 1, 10);
        INDArray to = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(2, 8));
        NativeMatrix.copyPrefix(from, to, 4);
        assertArrayEquals(new float[] {0, 0, 0, 1, 2, 3, 0, 0, 0, 0}, flat.toFloatVector());
    }

    @Test
    void columnSumsWriteEachColumnsTotalIntoASliceOfAFlatVector() {
        // 'f' order: column c holds 5c .. 5c + 4; a 5-row column of ones is longer than the first one a thread makes.
        INDArray matrix = Nd4j.arange(0, 15).castTo(DataType.FLOAT).reshape('f', 5, 3);
        INDArray flat = Nd4j.zeros(DataType.FLOAT, 1, 6);
        INDArray into = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(1, 3));
        NativeMatrix.of(matrix).columnSums(1, 2, into);
        assertArrayEquals(new float[] {0, 35, 60, 0, 0, 0}, flat.toFloatVector());
        INDArray tall = Nd4j.ones(DataType.FLOAT, 200, 2).dup('f');
        INDArray sums = Nd4j.zeros(DataType.FLOAT, 2);
        NativeMatrix.of(tall).columnSums(0, 2, sums);
        assertArrayEquals(new float[] {200, 200}, sums.toFloatVector(), "the thread's ones grow to 200 rows");
    }
}
