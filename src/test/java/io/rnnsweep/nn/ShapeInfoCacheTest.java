package io.rnnsweep.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseShapeInfoProvider;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ND4J's shape buffers made once per layout and shared, the same as ND4J makes them uncached. */
class ShapeInfoCacheTest {
    /** ND4J's own provider without any cache: what every shape buffer must equal. */
    private static final BaseShapeInfoProvider UNCACHED = new BaseShapeInfoProvider() {
        @Override
        public void purgeCache() {
        }
    };

    @Test
    void aLayoutAskedForTwiceGetsTheSameBufferAndWhatNd4jWouldMakeForIt() {
        ShapeInfoCache cache = new ShapeInfoCache();
        long[] shape = {4, 3, 5};
        long[] stride = {15, 5, 1};
        Pair<DataBuffer, long[]> first = cache.createShapeInformation(shape, stride, 1, 'c', DataType.FLOAT, false);
        Pair<DataBuffer, long[]> again = cache.createShapeInformation(shape.clone(), stride.clone(), 1, 'c',
                DataType.FLOAT, false);
        Pair<DataBuffer, long[]> made = UNCACHED.createShapeInformation(shape, stride, 1, 'c', DataType.FLOAT, false);
        assertSame(first.getFirst(), again.getFirst());
        assertArrayEquals(made.getFirst().asLong(), first.getFirst().asLong());
        assertArrayEquals(made.getSecond(), first.getSecond());
        assertArrayEquals(made.getSecond(), again.getSecond());
        assertNotSame(first.getSecond(), again.getSecond(), "each caller gets its own copy of the Java shape info");
        assertEquals(1, cache.size());
    }

    @Test
    void layoutsDifferingInStridesOrderTypeEmptinessOrExtrasGetTheirOwnBuffers() {
        ShapeInfoCache cache = new ShapeInfoCache();
        long[] shape = {2, 6};
        Pair<DataBuffer, long[]> c = cache.createShapeInformation(shape, new long[] {6, 1}, 1, 'c', DataType.FLOAT,
                false);
        Pair<DataBuffer, long[]> f = cache.createShapeInformation(shape, new long[] {1, 2}, 1, 'f', DataType.FLOAT,
                false);
        Pair<DataBuffer, long[]> dbl = cache.createShapeInformation(shape, new long[] {6, 1}, 1, 'c', DataType.DOUBLE,
                false);
        Pair<DataBuffer, long[]> strided = cache.createShapeInformation(shape, new long[] {12, 2}, 0, 'c',
                DataType.FLOAT, false);
        long extras = c.getSecond()[c.getSecond().length - 3];
        Pair<DataBuffer, long[]> byExtras = cache.createShapeInformation(shape, new long[] {6, 1}, 1, 'c', extras);
        assertEquals(5, cache.size());
        for (Pair<DataBuffer, long[]> p : java.util.List.of(c, f, dbl, strided)) {
            long[] jvm = p.getSecond();
            assertArrayEquals(jvm, p.getFirst().asLong());
        }
        assertArrayEquals(UNCACHED.createShapeInformation(shape, new long[] {1, 2}, 1, 'f', DataType.FLOAT, false)
                .getSecond(), f.getSecond());
        assertArrayEquals(UNCACHED.createShapeInformation(shape, new long[] {6, 1}, 1, 'c', DataType.DOUBLE, false)
                .getSecond(), dbl.getSecond());
        assertArrayEquals(UNCACHED.createShapeInformation(shape, new long[] {12, 2}, 0, 'c', DataType.FLOAT, false)
                .getSecond(), strided.getSecond());
        assertArrayEquals(UNCACHED.createShapeInformation(shape, new long[] {6, 1}, 1, 'c', extras).getSecond(),
                byExtras.getSecond());
    }

    @Test
    void aCallerChangingItsArraysAfterwardsDoesNotChangeWhatIsCached() {
        ShapeInfoCache cache = new ShapeInfoCache();
        long[] shape = {3, 4};
        long[] stride = {4, 1};
        Pair<DataBuffer, long[]> first = cache.createShapeInformation(shape, stride, 1, 'c', DataType.FLOAT, false);
        first.getSecond()[1] = 99;
        shape[0] = 7;
        stride[0] = 28;
        Pair<DataBuffer, long[]> again = cache.createShapeInformation(new long[] {3, 4}, new long[] {4, 1}, 1, 'c',
                DataType.FLOAT, false);
        assertSame(first.getFirst(), again.getFirst());
        assertArrayEquals(UNCACHED.createShapeInformation(new long[] {3, 4}, new long[] {4, 1}, 1, 'c',
                DataType.FLOAT, false).getSecond(), again.getSecond());
    }

    @Test
    void theCacheStartsAfreshWhenFullInsteadOfGrowing() {
        ShapeInfoCache cache = new ShapeInfoCache();
        for (int i = 1; i <= ShapeInfoCache.MAX_ENTRIES + 10; i++) {
            cache.createShapeInformation(new long[] {i}, new long[] {1}, 1, 'c', DataType.FLOAT, false);
        }
        assertEquals(10, cache.size());
        Pair<DataBuffer, long[]> later = cache.createShapeInformation(new long[] {3}, new long[] {1}, 1, 'c',
                DataType.FLOAT, false);
        assertArrayEquals(later.getSecond(), later.getFirst().asLong());
    }

    @Test
    void installNamesTheCacheForNd4jUnlessTheJvmNamesAProvider() {
        String before = System.getProperty(ShapeInfoCache.PROPERTY);
        try {
            System.clearProperty(ShapeInfoCache.PROPERTY);
            ShapeInfoCache.install();
            assertEquals(ShapeInfoCache.class.getName(), System.getProperty(ShapeInfoCache.PROPERTY));
            System.setProperty(ShapeInfoCache.PROPERTY, "some.other.Provider");
            ShapeInfoCache.install();
            assertEquals("some.other.Provider", System.getProperty(ShapeInfoCache.PROPERTY));
        } finally {
            if (before == null) {
                System.clearProperty(ShapeInfoCache.PROPERTY);
            } else {
                System.setProperty(ShapeInfoCache.PROPERTY, before);
            }
        }
    }

    @Test
    void nd4jInTestsMakesItsArraysThroughTheCacheAndViewsReadTheirValues() {
        assertTrue(Nd4j.getShapeInfoProvider() instanceof ShapeInfoCache,
                "the test JVM names the cache as the CLI and the trial runner do");
        INDArray a = Nd4j.arange(0, 12).castTo(DataType.FLOAT).reshape('c', 3, 4);
        INDArray b = Nd4j.arange(0, 12).castTo(DataType.FLOAT).reshape('c', 3, 4);
        assertSame(a.shapeInfoDataBuffer(), b.shapeInfoDataBuffer());
        INDArray t = a.permute(1, 0);
        assertEquals(1f, t.getFloat(1, 0));
        assertEquals(4f, t.getFloat(0, 1));
        assertArrayEquals(new float[] {1, 5, 9}, t.getRow(1).toFloatVector());
    }
}
