package io.rnnsweep.execution;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What this JVM spent over a span of time: its CPU time, its JIT compiler threads' CPU time and its garbage
 * collections' time, in seconds. In Spark local mode the trials run in the driver's JVM, so a sweep's span says
 * how much of the machine went to compiling and collecting beside the training; on a cluster it is the driver's
 * share alone.
 *
 * @param cpuSeconds the CPU time of every thread of the JVM (user and system), or NaN where the JVM cannot say
 * @param jitSeconds the CPU time of the JIT compiler threads (Linux), or NaN where it cannot be read
 * @param gcSeconds the time spent in garbage collections, summed over the collectors (concurrent phases included)
 */
public record JvmUsage(double cpuSeconds, double jitSeconds, double gcSeconds) {
    /** Returns the JVM's totals since it started. */
    public static JvmUsage now() {
        double cpu = Double.NaN;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long ns = os.getProcessCpuTime();
            cpu = ns < 0 ? Double.NaN : ns / 1e9;
        }
        double jit = compilerThreadsCpuSeconds();
        long gc = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, b.getCollectionTime());
        }
        return new JvmUsage(cpu, jit, gc / 1e3);
    }

    /**
     * Returns the CPU time of the JIT compiler threads, from Linux's per-thread scheduler statistics (the JVM's own
     * compilation time is wall time per compilation, which counts a compiler waiting for a core); NaN elsewhere.
     */
    private static double compilerThreadsCpuSeconds() {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return Double.NaN;
        }
        long ns = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path t : threads) {
                try {
                    // HotSpot names them "C1 CompilerThread0", "C2 CompilerThread0"; Linux keeps 15 characters.
                    if (Files.readString(t.resolve("comm")).contains("CompilerThre")) {
                        String schedstat = Files.readString(t.resolve("schedstat"));
                        ns += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                    }
                } catch (NoSuchFileException e) {
                    // The thread ended meanwhile.
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return ns / 1e9;
    }

    /** Returns what was spent between {@code start} and this later snapshot. */
    public JvmUsage since(JvmUsage start) {
        return new JvmUsage(cpuSeconds - start.cpuSeconds, jitSeconds - start.jitSeconds, gcSeconds - start.gcSeconds);
    }
}
