package io.rnnsweep.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which OpenBLAS a JVM was asked to load ({@code RNNSWEEP_BLAS}, passed as {@code -Drnnsweep.blas}), put into
 * effect before ND4J loads its native backend, and the warning when the library loaded is not the one asked for.
 *
 * <p>JavaCPP replaces the OpenBLAS bundled with ND4J by another one when {@code org.bytedeco.openblas.load}
 * names it, but it looks for that name as a bundled resource first and then only for the unversioned
 * {@code libopenblas.so}, which Debian ships in a development package alone: the runtime package the README
 * installs ({@code libopenblas0-pthread}) has {@code libopenblas.so.0} only. So {@link #apply()} finds the
 * system's {@code libopenblas.so.0} itself (a 64-bit ELF library for this JVM's processor, in the dynamic
 * linker's folders), links it as {@code libopenblas.so} in a folder of its own, and hands JavaCPP that folder
 * as a preload path. The JVM then takes its JavaCPP cache from {@code rnnsweep.blas.cache}, apart from the
 * shared one the bundled library is extracted to: JavaCPP links the chosen library into its cache in place of
 * the bundled one.
 */
public enum BlasChoice {
    /** The system's OpenBLAS where this machine has one this JVM can load, else the bundled one. */
    AUTO,
    /** The system's OpenBLAS; the bundled one, with a warning, where there is none. */
    SYSTEM,
    /** The OpenBLAS bundled with ND4J. */
    BUNDLED;

    /** The JVM property the launcher passes {@code RNNSWEEP_BLAS} in. */
    public static final String PROPERTY = "rnnsweep.blas";
    /** The JVM property naming the JavaCPP cache of JVMs that load the system's library. */
    public static final String CACHE_PROPERTY = "rnnsweep.blas.cache";
    /** The JVM property listing the folders to find the system's library in (default: the dynamic linker's). */
    public static final String PATH_PROPERTY = "rnnsweep.blas.path";
    /** The Debian package that installs the library {@link #SYSTEM} loads. */
    public static final String PACKAGE = "libopenblas0-pthread";

    private static final String LIBRARY = "libopenblas.so.0";
    private static final String LOAD_PROPERTY = "org.bytedeco.openblas.load";
    private static final String PRELOAD_PATH_PROPERTY = "org.bytedeco.javacpp.platform.preloadpath";
    private static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";

    private static Plan applied;
    private static boolean warned;

    /**
     * What one JVM asked JavaCPP for.
     *
     * @param choice the request, empty when the JVM was started without one (JavaCPP's defaults hold)
     * @param expected the library JavaCPP was asked to load
     * @param source the system library asked for, empty when none
     * @param note why the system library was not asked for, empty when it was or nobody asked
     */
    public record Plan(Optional<BlasChoice> choice, BlasLibrary expected, Optional<Path> source, String note) {
    }

    /** Returns the choice a {@code RNNSWEEP_BLAS} value names. */
    public static Optional<BlasChoice> parse(String value) {
        for (BlasChoice c : values()) {
            if (c.label().equals(value)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Returns the value {@code RNNSWEEP_BLAS} spells this choice with. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Puts this JVM's request into effect, once: sets JavaCPP's properties for the system library when the
     * request and the machine call for it. Call it before anything loads ND4J; later calls return the first
     * plan. An unknown request is refused.
     *
     * @throws IllegalArgumentException when {@code rnnsweep.blas} holds no known value
     */
    public static synchronized Plan apply() {
        if (applied == null) {
            String where = System.getProperty(PATH_PROPERTY) == null ? "the dynamic linker's folders"
                    : PATH_PROPERTY + " (" + System.getProperty(PATH_PROPERTY) + ")";
            applied = plan(System.getProperty(PROPERTY), searchDirs(), where, Path.of(cacheDir()));
            applied.source().ifPresent(lib -> {
                System.setProperty(LOAD_PROPERTY, "openblas");
                System.setProperty(PRELOAD_PATH_PROPERTY, linkDir(Path.of(cacheDir())).toString());
                System.setProperty(CACHE_DIR_PROPERTY, cacheDir());
            });
        }
        return applied;
    }

    /**
     * Decides what a request asks JavaCPP for, looking for the system library in {@code dirs} (which
     * {@code where} names for messages) and linking it under the name JavaCPP looks for in a folder below
     * {@code cache}.
     */
    static Plan plan(String request, List<Path> dirs, String where, Path cache) {
        if (request == null || request.isEmpty()) {
            return new Plan(Optional.empty(), BlasLibrary.BUNDLED, Optional.empty(), "");
        }
        BlasChoice choice = parse(request).orElseThrow(() -> new IllegalArgumentException(
                "RNNSWEEP_BLAS must be auto, system or bundled, got '" + request + "'"));
        if (choice == BUNDLED) {
            return new Plan(Optional.of(choice), BlasLibrary.BUNDLED, Optional.empty(), "");
        }
        Optional<Path> found = find(dirs, System.getProperty("os.arch"));
        if (found.isEmpty()) {
            return new Plan(Optional.of(choice), BlasLibrary.BUNDLED, Optional.empty(),
                    "this machine has no " + LIBRARY + " for " + System.getProperty("os.arch") + " in " + where);
        }
        try {
            link(linkDir(cache), found.get());
        } catch (IOException | RuntimeException e) {
            return new Plan(Optional.of(choice), BlasLibrary.BUNDLED, Optional.empty(),
                    "linking " + found.get() + " into " + linkDir(cache) + " failed: " + e);
        }
        return new Plan(Optional.of(choice), BlasLibrary.SYSTEM, found, "");
    }

    /**
     * Returns the warning for a JVM whose loaded library is not the one its request called for, empty when
     * they agree or nothing was asked.
     */
    public static Optional<String> mismatch(Plan plan, BlasLibrary loaded) {
        if (plan.choice().isEmpty() || loaded == BlasLibrary.CUBLAS) {
            return Optional.empty();
        }
        BlasChoice choice = plan.choice().get();
        if (loaded == BlasLibrary.BUNDLED && choice == SYSTEM && plan.source().isEmpty()) {
            return Optional.of("RNNSWEEP_BLAS=system, but " + plan.note() + ": this JVM runs on ND4J's bundled "
                    + "OpenBLAS. Install the system's with: apt-get install -y " + PACKAGE);
        }
        if (loaded == BlasLibrary.BUNDLED && plan.expected() == BlasLibrary.SYSTEM) {
            return Optional.of("RNNSWEEP_BLAS=" + choice.label() + " found " + plan.source().orElseThrow()
                    + ", but this JVM loaded ND4J's bundled OpenBLAS (ND4J was loaded before the choice "
                    + "took effect, or the library did not load: -Dorg.bytedeco.javacpp.logger.debug=true says "
                    + "why)");
        }
        if (loaded == BlasLibrary.SYSTEM && choice == BUNDLED) {
            return Optional.of("RNNSWEEP_BLAS=bundled, but this JVM loaded a system OpenBLAS: JavaCPP's "
                    + LOAD_PROPERTY + " is set (" + System.getProperty(LOAD_PROPERTY) + ")");
        }
        return Optional.empty();
    }

    /** Prints this JVM's {@link #mismatch} to standard error, once per JVM; returns whether it did now. */
    public static synchronized boolean warnIfMismatched(BlasLibrary loaded) {
        Optional<String> warning;
        try {
            warning = mismatch(apply(), loaded);
        } catch (IllegalArgumentException e) {
            return false; // an unknown request: the caller of apply() has said so
        }
        if (warning.isEmpty() || warned) {
            return false;
        }
        warned = true;
        System.err.println("rnnsweep: warning: " + warning.get());
        return true;
    }

    /**
     * Returns the first {@code libopenblas.so.0} in {@code dirs} that is a 64-bit ELF shared library for the
     * processor {@code arch} names (any machine type where rnnsweep does not know the architecture).
     */
    static Optional<Path> find(List<Path> dirs, String arch) {
        for (Path dir : dirs) {
            Path lib = dir.resolve(LIBRARY);
            if (Files.isReadable(lib) && isElf64For(lib, arch)) {
                try {
                    return Optional.of(lib.toRealPath());
                } catch (IOException e) {
                    // A link that went away since: look on.
                }
            }
        }
        return Optional.empty();
    }

    /** Whether the file starts with a 64-bit little-endian ELF header whose machine is the one for arch. */
    static boolean isElf64For(Path file, String arch) {
        byte[] h = new byte[20];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(h, 0, h.length) < h.length) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        boolean elf64 = h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F' && h[4] == 2 && h[5] == 1;
        int machine = (h[18] & 0xff) | (h[19] & 0xff) << 8;
        Integer wanted = switch (arch == null ? "" : arch) {
            case "amd64", "x86_64" -> 62;
            case "aarch64", "arm64" -> 183;
            case "ppc64le" -> 21;
            case "s390x" -> 22;
            case "riscv64" -> 243;
            default -> null;
        };
        return elf64 && (wanted == null || wanted == machine);
    }

    /** Returns the folders {@code rnnsweep.blas.path} lists, else the dynamic linker's. */
    static List<Path> searchDirs() {
        String path = System.getProperty(PATH_PROPERTY);
        if (path == null) {
            return defaultDirs();
        }
        return Arrays.stream(path.split(":")).filter(d -> !d.isBlank()).map(Path::of).toList();
    }

    /**
     * Returns the folders the dynamic linker searches, in its order: {@code LD_LIBRARY_PATH}, those listed in
     * {@code /etc/ld.so.conf.d}, then the multiarch and default system folders.
     */
    static List<Path> defaultDirs() {
        Set<String> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(d);
                }
            }
        }
        Path conf = Path.of("/etc/ld.so.conf.d");
        if (Files.isDirectory(conf)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(conf, "*.conf")) {
                List<Path> sorted = new ArrayList<>();
                files.forEach(sorted::add);
                sorted.sort(null);
                for (Path f : sorted) {
                    for (String line : Files.readAllLines(f)) {
                        String d = line.strip();
                        if (d.startsWith("/")) {
                            dirs.add(d);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The conventional folders below still count.
            }
        }
        String triplet = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            case "ppc64le" -> "powerpc64le-linux-gnu";
            case "s390x" -> "s390x-linux-gnu";
            case "riscv64" -> "riscv64-linux-gnu";
            default -> "";
        };
        if (!triplet.isEmpty()) {
            dirs.add("/usr/local/lib/" + triplet);
            dirs.add("/lib/" + triplet);
            dirs.add("/usr/lib/" + triplet);
        }
        dirs.addAll(List.of("/usr/local/lib", "/lib64", "/usr/lib64", "/lib", "/usr/lib"));
        return dirs.stream().map(Path::of).toList();
    }

    /** Returns the JavaCPP cache of JVMs that load the system's library. */
    static String cacheDir() {
        String dir = System.getProperty(CACHE_PROPERTY, "");
        return dir.isEmpty() ? Path.of(System.getProperty("user.home"), ".javacpp", "cache-system-blas").toString()
                : dir;
    }

    /** The folder holding {@code libopenblas.so}, the link JavaCPP finds; apart from where JavaCPP copies it. */
    static Path linkDir(Path cache) {
        return cache.resolve("links").resolve("system-openblas");
    }

    /** Points {@code dir/libopenblas.so} at {@code lib}, replacing an older link in one step. */
    private static void link(Path dir, Path lib) throws IOException {
        Files.createDirectories(dir);
        Path name = dir.resolve("libopenblas.so");
        if (Files.isSymbolicLink(name) && Files.readSymbolicLink(name).equals(lib)) {
            return;
        }
        Path tmp = dir.resolve(".libopenblas.so." + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, lib);
        Files.move(tmp, name, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
