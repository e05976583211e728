package io.rnnsweep.cli;

import io.rnnsweep.trial.EpochResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Writes epoch results as CSV rows: {@code epoch} then every metric, created with the first row. */
final class EpochCsv {
    private final Path file;
    private boolean started;

    EpochCsv(Path file) {
        this.file = file;
    }

    /** Appends one epoch; the first call replaces the file and writes the header. */
    void append(EpochResult result) {
        Map<String, Double> metrics = result.metrics();
        StringBuilder s = new StringBuilder();
        if (!started) {
            s.append("epoch");
            metrics.keySet().forEach(k -> s.append(',').append(k));
            s.append('\n');
        }
        s.append(result.epoch());
        metrics.values().forEach(v -> s.append(',').append(v.isNaN() ? "" : Double.toString(v)));
        s.append('\n');
        try {
            if (!started) {
                Path dir = file.toAbsolutePath().getParent();
                if (dir != null) {
                    Files.createDirectories(dir);
                }
                Files.writeString(file, s, StandardCharsets.UTF_8);
                started = true;
            } else {
                Files.writeString(file, s, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
