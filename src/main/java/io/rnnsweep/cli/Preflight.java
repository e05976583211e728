package io.rnnsweep.cli;

import io.rnnsweep.spec.SpecException;
import io.rnnsweep.spec.SweepSpec;
import io.rnnsweep.trial.InvalidOptionException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks made before a command starts anything (no Spark job, no run, no file): the Spark master's form and that
 * one answers, the cores and GPUs a sweep asks of it, and that each path it will write can be written. Each
 * failure is bad input: exit 2 naming the option or field, the value and what is allowed.
 */
final class Preflight {
    /** The master URLs rnnsweep knows how to run on. */
    static final String MASTERS = "local, local[N], local[*], local-cluster[W,C,M], spark://HOST:PORT[,HOST:PORT],"
            + " yarn, k8s://https://HOST:PORT";
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[(\\d+),\\s*(\\d+),\\s*(\\d+)]");
    private static final Pattern STANDALONE = Pattern.compile("spark://([^,/:]+:\\d+)(,[^,/:]+:\\d+)*");
    private static final int PROBE_MILLIS = 3000;

    private Preflight() {
    }

    /**
     * Checks the master's form; for a standalone master, that every listed host answers on its port (within
     * seconds, where Spark would retry for minutes).
     *
     * @throws InvalidOptionException when the master is malformed or nobody answers
     */
    static void master(String master) {
        if (LOCAL.matcher(master).matches() || LOCAL_CLUSTER.matcher(master).matches() || master.equals("yarn")
                || master.startsWith("k8s://")) {
            return;
        }
        if (!STANDALONE.matcher(master).matches()) {
            throw new InvalidOptionException("master", master, MASTERS);
        }
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = hostPort.substring(0, colon);
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), PROBE_MILLIS);
            } catch (IOException e) {
                throw new InvalidOptionException("master", master, "a Spark master that answers: nothing listens at "
                        + hostPort + " (" + e.getMessage() + ")");
            }
        }
    }

    /** Returns the cores a local master offers its one executor, or empty for a cluster master. */
    static OptionalInt localCores(String master) {
        Matcher m = LOCAL.matcher(master);
        if (m.matches()) {
            String n = m.group(1);
            return OptionalInt.of(n == null ? 1 : n.equals("*") ? Runtime.getRuntime().availableProcessors()
                    : Integer.parseInt(n));
        }
        Matcher c = LOCAL_CLUSTER.matcher(master);
        return c.matches() ? OptionalInt.of(Integer.parseInt(c.group(2))) : OptionalInt.empty();
    }

    /**
     * Checks what each trial asks of the master: no more cores than a local master's executor has, and GPUs only
     * with a build that has ND4J's CUDA backend.
     *
     * @throws SpecException naming {@code execution.cpus_per_trial} or {@code execution.gpus_per_trial}
     */
    static void resources(SweepSpec spec, String source, String master) {
        int cpus = spec.execution().cpusPerTrial();
        OptionalInt cores = localCores(master);
        if (cores.isPresent() && cpus > cores.getAsInt()) {
            throw new SpecException(source, "execution.cpus_per_trial", Integer.toString(cpus), "at most "
                    + cores.getAsInt() + ", the cores master " + master + " gives its executor (or a master with more:"
                    + " --master local[" + cpus + "])");
        }
        int gpus = spec.execution().gpusPerTrial();
        if (gpus > 0 && !cudaBuild()) {
            throw new SpecException(source, "execution.gpus_per_trial", Integer.toString(gpus), "0 with this build:"
                    + " it has ND4J's CPU backend only (build the GPU one with ./mvnw -Pcuda -DskipTests package)");
        }
    }

    /** Returns whether ND4J's CUDA backend is on the classpath (the {@code cuda} Maven profile's build). */
    static boolean cudaBuild() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, Preflight.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Checks that a folder can be made and written where {@code path} names it: writes and removes a small file in
     * it, or in its nearest existing parent when it does not exist yet (which is left as it was).
     *
     * @throws InvalidOptionException naming {@code option} when it cannot
     */
    static void writableFolder(String option, Path path) {
        probe(option, path.toString(), path);
    }

    /** Writes and removes a small file in {@code path} or its nearest existing parent; {@code shown} in errors. */
    private static void probe(String option, String shown, Path path) {
        Path probeIn = path.toAbsolutePath();
        while (probeIn != null && !Files.exists(probeIn)) {
            probeIn = probeIn.getParent();
        }
        if (probeIn == null || !Files.isDirectory(probeIn)) {
            throw new InvalidOptionException(option, shown, "a path below a folder (" + probeIn + " is a file)");
        }
        try {
            Files.delete(Files.createTempFile(probeIn, ".rnnsweep-probe-", ""));
        } catch (IOException | UnsupportedOperationException e) {
            throw new InvalidOptionException(option, shown, "a path in a folder this user can write (writing in "
                    + probeIn + " failed: " + e + ")");
        }
    }

    /**
     * Checks that a file can be written at {@code file}: its folder can be written, and the file is not a folder.
     *
     * @throws InvalidOptionException naming {@code option} when it cannot
     */
    static void writableFile(String option, Path file) {
        if (Files.isDirectory(file)) {
            throw new InvalidOptionException(option, file.toString(), "a file path (this is a folder)");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null) {
            throw new InvalidOptionException(option, file.toString(), "a file path in a folder");
        }
        probe(option, file.toString(), parent);
    }
}
