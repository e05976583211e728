package io.rnnsweep.nn;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseShapeInfoProvider;

/**
 * ND4J's shape-information provider with the cache ND4J's CPU backend means to have: one shape buffer per distinct
 * shape, strides, order and type, made once and shared by every array of that layout.
 *
 * <p>Every ND4J array, a view included (each reshape, permute and row of a training step), asks the provider for
 * its shape buffer. The CPU backend's provider caches only an overload that ND4J 1.0.0-M2.1 no longer calls, so
 * each array made two JavaCPP pointers, a native call under the backend's global shape lock, a buffer wrapper and
 * its weak-reference bookkeeping, which the garbage collector and ND4J's deallocator threads then retire: for the
 * tasks' small networks a quarter of a trial thread's time, and most of the collector's. The buffers are ND4J's
 * constant buffers (the provider marks them so), made by the same call with the same arguments on a miss, so
 * sharing them changes no result. The cache is bounded: at {@link #MAX_ENTRIES} layouts it starts afresh (arrays
 * keep the buffers they hold).
 *
 * <p>{@link #install()} names it as ND4J's provider (ND4J reads its backend settings with the JVM's properties
 * over them) before ND4J loads, on the CPU backend only.
 */
public final class ShapeInfoCache extends BaseShapeInfoProvider {
    /** The ND4J backend setting that names the provider class. */
    static final String PROPERTY = "shapeinfoprovider";
    /** The most layouts kept at once. */
    static final int MAX_ENTRIES = 8192;
    private static final String CPU_BACKEND = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";

    private final Map<Layout, Pair<DataBuffer, long[]>> cache = new ConcurrentHashMap<>();

    /** An array layout as the provider is asked for it: the extras word or the type and emptiness. */
    private record Layout(long[] shape, long[] stride, long elementWiseStride, char order, long extras,
                          DataType type, boolean empty, int hash) {
        static Layout of(long[] shape, long[] stride, long ews, char order, long extras, DataType type,
                         boolean empty) {
            int h = Arrays.hashCode(shape);
            h = 31 * h + Arrays.hashCode(stride);
            h = 31 * h + Long.hashCode(ews);
            h = 31 * h + order;
            h = 31 * h + Long.hashCode(extras);
            h = 31 * h + (type == null ? 0 : type.ordinal() + 1);
            h = 31 * h + (empty ? 1 : 0);
            return new Layout(shape, stride, ews, order, extras, type, empty, h);
        }

        /** Returns this layout holding copies of its arrays, safe to keep after the caller changes its own. */
        Layout kept() {
            return new Layout(shape.clone(), stride.clone(), elementWiseStride, order, extras, type, empty, hash);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layout l && hash == l.hash && elementWiseStride == l.elementWiseStride
                    && order == l.order && extras == l.extras && type == l.type && empty == l.empty
                    && Arrays.equals(shape, l.shape) && Arrays.equals(stride, l.stride);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Makes this class ND4J's shape-information provider, unless the JVM names one already or ND4J's CPU backend is
     * not on the class path (the GPU build keeps its own). Call it before anything loads ND4J; it has no effect
     * after.
     */
    public static void install() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        try {
            Class.forName(CPU_BACKEND, false, ShapeInfoCache.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return;
        }
        System.setProperty(PROPERTY, ShapeInfoCache.class.getName());
    }

    /** Returns how many layouts the cache holds. */
    int size() {
        return cache.size();
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
                                                           char order, DataType dataType, boolean empty) {
        Layout layout = Layout.of(shape, stride, elementWiseStride, order, 0, dataType, empty);
        Pair<DataBuffer, long[]> found = cache.get(layout);
        return copy(found != null ? found : remember(layout,
                super.createShapeInformation(shape, stride, elementWiseStride, order, dataType, empty)));
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
                                                           char order, long extras) {
        Layout layout = Layout.of(shape, stride, elementWiseStride, order, extras, null, false);
        Pair<DataBuffer, long[]> found = cache.get(layout);
        return copy(found != null ? found
                : remember(layout, super.createShapeInformation(shape, stride, elementWiseStride, order, extras)));
    }

    /** Returns the shared buffer with the caller's own copy of the Java shape information. */
    private static Pair<DataBuffer, long[]> copy(Pair<DataBuffer, long[]> shared) {
        return Pair.create(shared.getFirst(), shared.getSecond().clone());
    }

    private Pair<DataBuffer, long[]> remember(Layout layout, Pair<DataBuffer, long[]> made) {
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        Pair<DataBuffer, long[]> kept = copy(made);
        Pair<DataBuffer, long[]> raced = cache.putIfAbsent(layout.kept(), kept);
        return raced == null ? kept : raced;
    }

    @Override
    public void purgeCache() {
        cache.clear();
    }
}
