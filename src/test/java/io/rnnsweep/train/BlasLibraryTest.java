package io.rnnsweep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BlasLibraryTest {
    @Test
    void withoutTheLoadPropertyTheBundledOpenBlasIsLoadedFromJavaCppsCache() {
        // Surefire starts the JVM without -Dorg.bytedeco.openblas.load: ND4J's own OpenBLAS.
        assertEquals("", System.getProperty("org.bytedeco.openblas.load", ""));
        assertEquals(BlasLibrary.BUNDLED, BlasLibrary.current());
        Path file = Path.of(BlasLibrary.path().orElseThrow());
        assertTrue(Files.isRegularFile(file), file.toString());
        assertTrue(file.toString().contains("/org/bytedeco/openblas/"), file.toString());
        assertEquals("bundled (" + file + ")", BlasLibrary.describe());
    }
}
