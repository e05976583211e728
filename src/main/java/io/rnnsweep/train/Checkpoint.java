package io.rnnsweep.train;

import io.rnnsweep.task.Network;
import io.rnnsweep.trial.TrialConfig;
import io.rnnsweep.trial.TrialOption;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A trial's state between epochs, in one file: the network with its updater state (DL4J's
 * {@code ModelSerializer} format, which also holds the update count Adam needs) and the epoch reached.
 *
 * <p>No random state is stored because none is carried: every random stream is derived from the trial seed
 * and the epoch (see {@link io.rnnsweep.task.Seeds}). A checkpoint only resumes the trial it was written for:
 * the options that shape training must match; epochs and threads may differ.
 *
 * @param network the restored network
 * @param epoch the last completed epoch
 * @param state the trainer's state beyond the network (a relative clipping threshold's calibration), by key
 */
public record Checkpoint(Network network, int epoch, Map<String, String> state) {
    private static final String MODEL_ENTRY = "model.zip";
    private static final String STATE_ENTRY = "trainer.properties";
    /** 2: recurrent layers with PyTorch's two biases ({@code b}, {@code RB}); format 1 had one. */
    private static final int FORMAT = 2;
    /** Options that may change between segments of one trial. */
    private static final Set<TrialOption> MAY_DIFFER = EnumSet.of(TrialOption.EPOCHS, TrialOption.THREADS);

    /** Writes the checkpoint, atomically replacing {@code file}. */
    public static void write(Path file, Network network, int epoch, TrialConfig config) throws IOException {
        write(file, network, epoch, config, Map.of());
    }

    /** Writes the checkpoint with the trainer's state beyond the network, atomically replacing {@code file}. */
    public static void write(Path file, Network network, int epoch, TrialConfig config, Map<String, String> extra)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Properties state = new Properties();
        state.setProperty("format", Integer.toString(FORMAT));
        state.setProperty("epoch", Integer.toString(epoch));
        state.setProperty("task", config.task().key());
        state.setProperty("network", network.isGraph() ? "graph" : "layers");
        for (TrialOption o : TrialOption.values()) {
            state.setProperty("option." + o.key(), config.value(o));
        }
        extra.forEach((k, v) -> state.setProperty("state." + k, v));
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        network.write(model);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry(STATE_ENTRY));
                StringWriter text = new StringWriter();
                state.store(text, "rnnsweep checkpoint");
                zip.write(text.toString().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry(MODEL_ENTRY));
                zip.write(model.toByteArray());
                zip.closeEntry();
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Returns the last completed epoch a checkpoint file holds, reading only its state entry.
     *
     * @throws IllegalArgumentException when the file is not a checkpoint this rnnsweep reads
     */
    public static int epochOf(Path file) throws IOException {
        Properties state = null;
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null && state == null; e = zip.getNextEntry()) {
                if (e.getName().equals(STATE_ENTRY)) {
                    state = state(zip.readAllBytes());
                }
            }
        }
        checkFormat(file, state);
        try {
            return Integer.parseInt(state.getProperty("epoch"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + " holds no epoch number: " + state.getProperty("epoch"));
        }
    }

    /**
     * Reads a checkpoint written for {@code config}'s trial.
     *
     * @throws IllegalArgumentException when the file is not a checkpoint or was written for another trial
     */
    public static Checkpoint read(Path file, TrialConfig config) throws IOException {
        byte[] model = null;
        Properties state = null;
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals(MODEL_ENTRY)) {
                    model = zip.readAllBytes();
                } else if (e.getName().equals(STATE_ENTRY)) {
                    state = state(zip.readAllBytes());
                }
            }
        }
        if (model == null) {
            throw new IllegalArgumentException(file + " is not an rnnsweep checkpoint");
        }
        checkFormat(file, state);
        if (!config.task().key().equals(state.getProperty("task"))) {
            throw new IllegalArgumentException(file + " was written for task " + state.getProperty("task")
                    + ", not " + config.task().key());
        }
        for (Map.Entry<String, String> e : config.values(EnumSet.complementOf(EnumSet.copyOf(MAY_DIFFER))).entrySet()) {
            String saved = state.getProperty("option." + e.getKey());
            if (!e.getValue().equals(saved)) {
                throw new IllegalArgumentException(file + " was written for " + e.getKey() + " = " + saved
                        + ", not " + e.getValue() + ": a checkpoint resumes only its own trial");
            }
        }
        Network network = Network.read(new ByteArrayInputStream(model), "graph".equals(state.getProperty("network")));
        Map<String, String> extra = new java.util.LinkedHashMap<>();
        for (String key : state.stringPropertyNames()) {
            if (key.startsWith("state.")) {
                extra.put(key.substring("state.".length()), state.getProperty(key));
            }
        }
        return new Checkpoint(network, Integer.parseInt(state.getProperty("epoch")), extra);
    }

    private static Properties state(byte[] bytes) throws IOException {
        Properties state = new Properties();
        state.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        return state;
    }

    private static void checkFormat(Path file, Properties state) {
        if (state == null) {
            throw new IllegalArgumentException(file + " is not an rnnsweep checkpoint");
        }
        if (!Integer.toString(FORMAT).equals(state.getProperty("format"))) {
            throw new IllegalArgumentException(file + " has checkpoint format " + state.getProperty("format")
                    + "; this rnnsweep reads format " + FORMAT + (state.getProperty("format", "").equals("1")
                    ? " (format 1 was written before the recurrent layers had PyTorch's second bias)" : ""));
        }
    }
}
