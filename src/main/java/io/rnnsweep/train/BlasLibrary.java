package io.rnnsweep.train;

import java.util.Locale;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which BLAS library ND4J's backend and the trainer's single-precision CPU path call in this JVM.
 *
 * <p>On the CPU backend that is the OpenBLAS build bundled with ND4J (JavaCPP's), unless the JVM was started
 * with JavaCPP's {@code org.bytedeco.openblas.load} set: then the system's {@code libopenblas.so.0} takes its
 * place for every caller ({@link BlasChoice} does that when the JVM is asked to, see RNNSWEEP_BLAS).
 */
public enum BlasLibrary {
    /** The OpenBLAS build that comes with ND4J's CPU backend. */
    BUNDLED,
    /** A BLAS from the system's library path, loaded in place of the bundled one. */
    SYSTEM,
    /** The CUDA backend's cuBLAS. */
    CUBLAS;

    private static final String LIBRARY = "openblas_nolapack@.0";
    private static final String LOAD_PROPERTY = "org.bytedeco.openblas.load";

    /** Returns the library in use, loading ND4J's backend (and its BLAS) when nothing has yet. */
    public static BlasLibrary current() {
        return of(path());
    }

    /** The library loaded from {@code path} (empty: the CUDA backend's). */
    private static BlasLibrary of(Optional<String> path) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return CUBLAS;
        }
        // JavaCPP falls back to the bundled library when the one asked for is not found: the path tells.
        boolean asked = !System.getProperty(LOAD_PROPERTY, "").isEmpty();
        return asked && path.filter(p -> !p.contains("/org/bytedeco/openblas/")).isPresent() ? SYSTEM : BUNDLED;
    }

    /** Returns the name rnnsweep prints and tags runs with: {@code bundled}, {@code system} or {@code cublas}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The file the CPU backend's BLAS was loaded from, once it was: a JVM loads a native library once and keeps it,
     * and JavaCPP's {@code Loader.load} walks its properties and library links on every call (~0.6 ms, asked once
     * per trial).
     */
    private static volatile String loadedFrom;

    /** Returns the file the CPU backend's BLAS was loaded from; empty on the CUDA backend. */
    public static Optional<String> path() {
        if (!Nd4j.getEnvironment().isCPU()) {
            return Optional.empty();
        }
        String known = loadedFrom;
        if (known == null) {
            Loader.load(openblas_nolapack.class);
            known = Loader.getLoadedLibraries().get(LIBRARY);
            loadedFrom = known;
        }
        return Optional.ofNullable(known);
    }

    /**
     * Returns one line naming the library in use and where it was loaded from: for the system's library the
     * file the dynamic linker knows (JavaCPP loads a copy of it from its cache).
     */
    public static String describe() {
        Optional<String> path = path();
        BlasLibrary library = of(path);
        Optional<String> source = library == SYSTEM ? BlasChoice.apply().source().map(Object::toString)
                : Optional.empty();
        return library.label() + source.or(() -> path).map(p -> " (" + p + ")").orElse("");
    }
}
