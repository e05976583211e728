package io.rnnsweep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlasChoiceTest {
    private static final String ARCH = System.getProperty("os.arch");

    @TempDir
    Path tmp;

    /** Writes the first bytes of a 64-bit little-endian ELF shared library for the given machine. */
    private static Path fakeElf(Path file, int machine, int elfClass) throws IOException {
        byte[] h = new byte[64];
        h[0] = 0x7f;
        h[1] = 'E';
        h[2] = 'L';
        h[3] = 'F';
        h[4] = (byte) elfClass;
        h[5] = 1;
        h[18] = (byte) machine;
        h[19] = (byte) (machine >> 8);
        Files.createDirectories(file.getParent());
        return Files.write(file, h);
    }

    @Test
    void withoutARequestNothingChangesAndNothingIsLinked() {
        BlasChoice.Plan plan = BlasChoice.plan(null, List.of(tmp), "tmp", tmp.resolve("cache"));
        assertEquals(Optional.empty(), plan.choice());
        assertEquals(BlasLibrary.BUNDLED, plan.expected());
        assertFalse(Files.exists(tmp.resolve("cache")));
        assertEquals(Optional.empty(), BlasChoice.mismatch(plan, BlasLibrary.SYSTEM));
    }

    @Test
    void anUnknownRequestIsRefusedNamingTheAllowedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlasChoice.plan("fastest", List.of(tmp), "tmp", tmp.resolve("cache")));
        assertEquals("RNNSWEEP_BLAS must be auto, system or bundled, got 'fastest'", e.getMessage());
    }

    @Test
    void systemFindsTheVersionedLibraryAndLinksItUnderTheNameJavaCppLooksFor() throws IOException {
        Path real = fakeElf(tmp.resolve("lib/openblas-pthread/libopenblasp-r0.3.21.so"), 62, 2);
        Files.createSymbolicLink(tmp.resolve("lib/libopenblas.so.0"), real);
        Path cache = tmp.resolve("cache");
        List<Path> dirs = List.of(tmp.resolve("none"), tmp.resolve("lib"));
        BlasChoice.Plan plan = BlasChoice.plan("system", dirs, "tmp", cache);
        assertEquals(BlasLibrary.SYSTEM, plan.expected());
        assertEquals(Optional.of(real.toRealPath()), plan.source());
        Path link = BlasChoice.linkDir(cache).resolve("libopenblas.so");
        assertEquals(real.toRealPath(), Files.readSymbolicLink(link));
        assertEquals(Optional.empty(), BlasChoice.mismatch(plan, BlasLibrary.SYSTEM));
        assertTrue(BlasChoice.mismatch(plan, BlasLibrary.BUNDLED).orElseThrow().contains("bundled OpenBLAS"));
    }

    @Test
    void aLinkLeftByAnEarlierLibraryIsReplacedByTheOneInstalledNow() throws IOException {
        Path cache = tmp.resolve("cache");
        Path old = fakeElf(tmp.resolve("old/libopenblas.so.0"), 62, 2);
        BlasChoice.plan("auto", List.of(tmp.resolve("old")), "old", cache);
        Files.delete(old);
        Path now = fakeElf(tmp.resolve("new/libopenblas.so.0"), 62, 2);
        List<Path> dirs = List.of(tmp.resolve("old"), tmp.resolve("new"));
        BlasChoice.Plan plan = BlasChoice.plan("auto", dirs, "old, new", cache);
        assertEquals(Optional.of(now.toRealPath()), plan.source());
        assertEquals(now.toRealPath(), Files.readSymbolicLink(BlasChoice.linkDir(cache).resolve("libopenblas.so")));
    }

    @Test
    void onlyA64BitLibraryForThisJvmsProcessorCounts() throws IOException {
        boolean x86 = ARCH.equals("amd64") || ARCH.equals("x86_64");
        int other = x86 ? 183 : 62;
        fakeElf(tmp.resolve("a/libopenblas.so.0"), other, 2);
        fakeElf(tmp.resolve("b/libopenblas.so.0"), x86 ? 62 : 183, 1);
        Files.writeString(tmp.resolve("libopenblas.so.0"), "not a library");
        List<Path> dirs = List.of(tmp.resolve("a"), tmp.resolve("b"), tmp);
        assertEquals(Optional.empty(), BlasChoice.find(dirs, x86 ? "amd64" : "aarch64"));
    }

    @Test
    void autoWithoutASystemLibraryTakesTheBundledOneQuietly() {
        BlasChoice.Plan plan = BlasChoice.plan("auto", List.of(tmp), "tmp", tmp.resolve("cache"));
        assertEquals(BlasLibrary.BUNDLED, plan.expected());
        assertEquals(Optional.empty(), BlasChoice.mismatch(plan, BlasLibrary.BUNDLED));
        assertFalse(Files.exists(tmp.resolve("cache")), "no cache is made for a library that is not there");
    }

    @Test
    void systemWithoutASystemLibraryWarnsNamingThePackageToInstall() {
        BlasChoice.Plan plan = BlasChoice.plan("system", List.of(tmp), "tmp", tmp.resolve("cache"));
        String warning = BlasChoice.mismatch(plan, BlasLibrary.BUNDLED).orElseThrow();
        assertTrue(warning.startsWith("RNNSWEEP_BLAS=system, but this machine has no libopenblas.so.0 for "
                + ARCH + " in tmp: this JVM runs on ND4J's bundled OpenBLAS."), warning);
        assertTrue(warning.endsWith("apt-get install -y libopenblas0-pthread"), warning);
    }

    @Test
    void bundledAskedButASystemLibraryLoadedIsAMismatch() {
        BlasChoice.Plan plan = BlasChoice.plan("bundled", List.of(tmp), "tmp", tmp.resolve("cache"));
        assertTrue(BlasChoice.mismatch(plan, BlasLibrary.SYSTEM).isPresent());
        assertEquals(Optional.empty(), BlasChoice.mismatch(plan, BlasLibrary.BUNDLED));
    }

    /** Runs {@code rnnsweep sgemm} in a JVM of its own with the given BLAS properties; stdout then stderr. */
    private static List<String> sgemm(String... properties) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + Path.of(System.getProperty("rnnsweep.repo"), "jobs", "jvm.options"));
        cmd.addAll(List.of(properties));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.rnnsweep.cli.Main",
                "sgemm", "--size", "64", "--repeats", "1"));
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(err, StandardCharsets.UTF_8));
        return List.of(new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void aJvmLoadsTheSystemLibraryOnceInstalledEvenAfterRunningWithoutOne() throws Exception {
        // The "system" library here is a copy of the OpenBLAS ND4J bundles, installed where the JVM is told to
        // look: the same steps as for Debian's, on any machine. The first JVM fills the cache the second uses
        // with the bundled library, as a run made before the system library was installed would have.
        Path cache = tmp.resolve("cache");
        Path libs = Files.createDirectories(tmp.resolve("usr-lib"));
        List<String> before = sgemm("-Drnnsweep.blas=system", "-Drnnsweep.blas.path=" + libs,
                "-Drnnsweep.blas.cache=" + cache, "-Dorg.bytedeco.javacpp.cachedir=" + cache);
        assertTrue(before.get(0).contains(", bundled BLAS: "), before.get(0));
        assertTrue(before.get(1).contains("apt-get install -y libopenblas0-pthread"), before.get(1));

        assertTrue(Files.isDirectory(cache.resolve("openblas-0.3.19-1.5.7-" + Loader.getPlatform() + ".jar")));
        try (InputStream bundled = BlasChoiceTest.class.getResourceAsStream(
                "/org/bytedeco/openblas/" + Loader.getPlatform() + "/libopenblas.so.0")) {
            Files.copy(bundled, libs.resolve("libopenblas.so.0"));
        }
        List<String> after = sgemm("-Drnnsweep.blas=system", "-Drnnsweep.blas.path=" + libs,
                "-Drnnsweep.blas.cache=" + cache);
        assertTrue(after.get(0).contains(", system BLAS: "), after.get(0));
        assertFalse(after.get(1).contains("warning"), after.get(1));
    }
}
