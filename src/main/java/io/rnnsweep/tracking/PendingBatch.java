package io.rnnsweep.tracking;

import io.rnnsweep.execution.UnsentRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records for one run that have not reached the tracking server yet: metrics, params and tags, in logging
 * order. They travel back to the driver with a trial's outcome when the server stayed unreachable.
 *
 * @param runId the run they belong to
 * @param metrics metric points
 * @param params params
 * @param tags tags
 */
public record PendingBatch(String runId, List<Point> metrics, Map<String, String> params, Map<String, String> tags)
        implements UnsentRecord {
    /** MLflow's limits per log-batch request. */
    static final int MAX_METRICS = 1000;
    static final int MAX_PARAMS = 100;
    static final int MAX_TAGS = 100;
    /** Longest tag value rnnsweep sends (MLflow 2.x stores up to 8000 characters; some servers 5000). */
    static final int MAX_TAG_VALUE = 5000;

    /**
     * One metric point.
     *
     * @param key metric name
     * @param value value
     * @param timestamp epoch milliseconds
     * @param step the epoch
     */
    public record Point(String key, double value, long timestamp, long step) implements Serializable {
    }

    /** Copies the collections into serializable, ordered ones and shortens over-long tag values. */
    public PendingBatch {
        metrics = new ArrayList<>(metrics);
        params = new LinkedHashMap<>(params);
        Map<String, String> t = new LinkedHashMap<>();
        tags.forEach((k, v) -> t.put(k, v.length() > MAX_TAG_VALUE ? v.substring(0, MAX_TAG_VALUE - 3) + "..." : v));
        tags = t;
    }

    /** Returns this batch cut into requests within MLflow's per-request limits. */
    List<PendingBatch> requests() {
        List<PendingBatch> out = new ArrayList<>();
        List<String> pk = new ArrayList<>(params.keySet());
        List<String> tk = new ArrayList<>(tags.keySet());
        int parts = Math.max(1, Math.max(ceil(metrics.size(), MAX_METRICS), Math.max(ceil(pk.size(), MAX_PARAMS),
                ceil(tk.size(), MAX_TAGS))));
        for (int i = 0; i < parts; i++) {
            Map<String, String> p = new LinkedHashMap<>();
            pk.subList(Math.min(pk.size(), i * MAX_PARAMS), Math.min(pk.size(), (i + 1) * MAX_PARAMS))
                    .forEach(k -> p.put(k, params.get(k)));
            Map<String, String> t = new LinkedHashMap<>();
            tk.subList(Math.min(tk.size(), i * MAX_TAGS), Math.min(tk.size(), (i + 1) * MAX_TAGS))
                    .forEach(k -> t.put(k, tags.get(k)));
            out.add(new PendingBatch(runId, metrics.subList(Math.min(metrics.size(), i * MAX_METRICS),
                    Math.min(metrics.size(), (i + 1) * MAX_METRICS)), p, t));
        }
        return out;
    }

    private static int ceil(int n, int per) {
        return (n + per - 1) / per;
    }

    /**
     * Writes batches to a file, one JSON object per line (a spool, or what could not be sent), replacing it
     * whole (written beside it, then renamed: a process killed meanwhile leaves the previous file).
     */
    static void writeJsonLines(java.nio.file.Path file, List<PendingBatch> batches) {
        try {
            StringBuilder b = new StringBuilder();
            for (PendingBatch p : batches) {
                b.append(JSON.writeValueAsString(p)).append('\n');
            }
            java.nio.file.Path dir = file.toAbsolutePath().getParent();
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Path part = java.nio.file.Files.createTempFile(dir, file.getFileName().toString(), ".part");
            java.nio.file.Files.writeString(part, b, java.nio.charset.StandardCharsets.UTF_8);
            java.nio.file.Files.move(part, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads the batches {@link #writeJsonLines} wrote, in order. */
    static List<PendingBatch> readJsonLines(java.nio.file.Path file) throws java.io.IOException {
        List<PendingBatch> out = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JSON.readValue(line, PendingBatch.class));
            }
        }
        return out;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** Returns whether the batch holds nothing. */
    boolean isEmpty() {
        return metrics.isEmpty() && params.isEmpty() && tags.isEmpty();
    }
}
