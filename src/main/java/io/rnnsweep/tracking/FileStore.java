package io.rnnsweep.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * MLflow 2.x's file store, read and written in MLflow's own layout, so that
 * {@code mlflow ui --backend-store-uri DIR} shows what rnnsweep logs.
 *
 * <p>{@code DIR/<experiment_id>/meta.yaml} describes an experiment (the folder name is its id);
 * {@code DIR/<experiment_id>/<run_id>/meta.yaml} a run, with {@code status} as an integer and
 * {@code end_time} null while it runs; {@code params/<key>} and {@code tags/<key>} hold raw values without a
 * trailing newline; {@code metrics/<key>} holds one line {@code <epoch-millis> <value> <step>} per point;
 * {@code artifacts/} the run's files. All methods are safe to call from several threads.
 */
public final class FileStore {
    /** An experiment. */
    public record Experiment(String id, String name, String artifactLocation, String lifecycleStage,
                             long creationTime, long lastUpdateTime) {
    }

    /** A run's info (its meta.yaml). */
    public record RunInfo(String runId, String experimentId, String runName, String userId, RunStatus status,
                          long startTime, Long endTime, String artifactUri, String lifecycleStage) {
    }

    /** One metric point. */
    public record Metric(String key, double value, long timestamp, long step) {
    }

    /** A run: info, params, tags and the latest point of each metric. */
    public record Run(RunInfo info, Map<String, String> params, Map<String, String> tags, List<Metric> latest) {
    }

    /** A request the store refuses, with MLflow's error code. */
    public static final class StoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String code;

        StoreException(String code, String message) {
            super(message);
            this.code = code;
        }

        /** Returns MLflow's error code, such as {@code RESOURCE_DOES_NOT_EXIST}. */
        public String code() {
            return code;
        }
    }

    private static final String DEFAULT_EXPERIMENT = "0";
    private final Path root;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Path> runDirs = new java.util.HashMap<>();
    /** The meta.yaml files this store parsed, by path (only used under this store's lock). */
    private final Map<Path, Parsed> parsed = new HashMap<>();
    private static final java.util.regex.Pattern EXPERIMENT_ID = java.util.regex.Pattern.compile("[0-9]+");
    private static final java.util.regex.Pattern RUN_ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[\\w\\-. ]+");
    /**
     * The YAML reader and writer of meta.yaml files, made once: a SnakeYAML instance builds its resolvers'
     * patterns when made, which cost more than the file it reads (only used under this store's lock).
     */
    private final Yaml yamlReader = new Yaml(new SafeConstructor(new LoaderOptions()));
    private final Yaml yamlWriter = yamlWriter();

    /** Opens (and, when missing, creates with MLflow's Default experiment) a store in {@code root}. */
    public FileStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root.resolve(".trash"));
            if (!Files.exists(this.root.resolve(DEFAULT_EXPERIMENT).resolve("meta.yaml"))) {
                writeExperiment(DEFAULT_EXPERIMENT, "Default");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the store's folder. */
    public Path root() {
        return root;
    }

    /** Returns every experiment, active or deleted. */
    public synchronized List<Experiment> experiments() {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("meta.yaml")))
                    .map(d -> experiment(d.getFileName().toString()))
                    .sorted(Comparator.comparing(Experiment::id)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the experiment with this id. */
    public synchronized Experiment experiment(String id) {
        Path meta = experimentDir(id).resolve("meta.yaml");
        if (!Files.isRegularFile(meta)) {
            throw new StoreException("RESOURCE_DOES_NOT_EXIST", "No experiment with id " + id);
        }
        Map<String, Object> m = readYaml(meta);
        return new Experiment(String.valueOf(m.get("experiment_id")), String.valueOf(m.get("name")),
                String.valueOf(m.get("artifact_location")), String.valueOf(m.get("lifecycle_stage")),
                number(m.get("creation_time")), number(m.get("last_update_time")));
    }

    /** Returns the active experiment with this name, if any. */
    public synchronized Optional<Experiment> experimentByName(String name) {
        return experiments().stream().filter(e -> e.name().equals(name) && e.lifecycleStage().equals("active"))
                .findFirst();
    }

    /** Creates an experiment and returns its id; a name already taken is refused. */
    public synchronized String createExperiment(String name) {
        if (name == null || name.isBlank()) {
            throw new StoreException("INVALID_PARAMETER_VALUE", "Experiment name must not be empty");
        }
        if (experiments().stream().anyMatch(e -> e.name().equals(name))) {
            throw new StoreException("RESOURCE_ALREADY_EXISTS", "Experiment '" + name + "' already exists.");
        }
        String id;
        do {
            id = Long.toString(Math.floorMod(random.nextLong(), 900_000_000_000_000_000L) + 100_000_000_000_000_000L);
        } while (Files.exists(root.resolve(id)));
        try {
            writeExperiment(id, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return id;
    }

    private void writeExperiment(String id, String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(id));
        Files.createDirectories(dir.resolve("tags"));
        long now = System.currentTimeMillis();
        Map<String, Object> m = new TreeMap<>();
        m.put("artifact_location", dir.toUri().toString().replaceAll("/$", ""));
        m.put("creation_time", now);
        m.put("experiment_id", id);
        m.put("last_update_time", now);
        m.put("lifecycle_stage", "active");
        m.put("name", name);
        writeYaml(dir.resolve("meta.yaml"), m);
    }

    /** Creates a run in an experiment, RUNNING, with its initial tags (and the run name as a tag). */
    public synchronized RunInfo createRun(String experimentId, String userId, long startTime, String runName,
                                          Map<String, String> tags) {
        Experiment e = experiment(experimentId);
        String runId = UUID.randomUUID().toString().replace("-", "");
        Path dir = experimentDir(e.id()).resolve(runId);
        RunInfo info = new RunInfo(runId, e.id(), runName == null ? "" : runName, userId == null ? "" : userId,
                RunStatus.RUNNING, startTime, null, dir.resolve("artifacts").toUri().toString().replaceAll("/$", ""),
                "active");
        try {
            for (String sub : List.of("params", "metrics", "tags", "artifacts")) {
                Files.createDirectories(dir.resolve(sub));
            }
            writeRunMeta(dir, info);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Map<String, String> all = new LinkedHashMap<>(tags);
        if (!info.runName().isEmpty()) {
            all.put("mlflow.runName", info.runName());
        }
        logBatch(runId, List.of(), Map.of(), all);
        return info;
    }

    /** Returns a run's info (its meta.yaml) alone. */
    public synchronized RunInfo runInfo(String runId) {
        return readRunMeta(runDir(runId));
    }

    /** Returns a run with its params, tags and latest metrics. */
    public synchronized Run run(String runId) {
        Path dir = runDir(runId);
        RunInfo info = readRunMeta(dir);
        List<Metric> latest = new ArrayList<>();
        for (List<Metric> points : metricHistories(runId).values()) {
            points.stream()
                    .max(Comparator.comparingLong(Metric::step).thenComparingLong(Metric::timestamp)
                            .thenComparingDouble(Metric::value))
                    .ifPresent(latest::add);
        }
        return new Run(info, files(dir.resolve("params")), files(dir.resolve("tags")), latest);
    }

    /** Returns every point of each of a run's metrics, by metric, in logging order. */
    public synchronized Map<String, List<Metric>> metricHistories(String runId) {
        Path dir = runDir(runId);
        Map<String, List<Metric>> out = new TreeMap<>();
        for (String key : files(dir.resolve("metrics")).keySet()) {
            out.put(key, history(dir, key));
        }
        return out;
    }

    /** Returns every point of a run's metric, in logging order. */
    public synchronized List<Metric> metricHistory(String runId, String key) {
        return history(runDir(runId), checkKey(key));
    }

    private static List<Metric> history(Path dir, String key) {
        Path f = dir.resolve("metrics").resolve(key);
        if (!Files.isRegularFile(f)) {
            return List.of();
        }
        List<Metric> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String[] p = line.trim().split(" ");
                if (p.length >= 2) {
                    out.add(new Metric(key, Double.parseDouble(p[1]), Long.parseLong(p[0]),
                            p.length > 2 ? Long.parseLong(p[2]) : 0));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Sets a run's status, end time and (when not null) name. */
    public synchronized RunInfo updateRun(String runId, RunStatus status, Long endTime, String runName) {
        Path dir = runDir(runId);
        RunInfo old = readRunMeta(dir);
        RunInfo info = new RunInfo(old.runId(), old.experimentId(), runName != null ? runName : old.runName(),
                old.userId(), status != null ? status : old.status(), old.startTime(),
                endTime != null ? endTime : old.endTime(), old.artifactUri(), old.lifecycleStage());
        try {
            writeRunMeta(dir, info);
            if (runName != null) {
                write(dir.resolve("tags").resolve("mlflow.runName"), runName);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return info;
    }

    /**
     * Logs metrics (appended, except a point the run already has with the same key, value, timestamp and step: a
     * request retried after its answer was lost logs it once, as MLflow's SQL store does), params (write-once: a
     * different value for a logged key is refused) and tags (overwritten) to a run.
     */
    public synchronized void logBatch(String runId, List<Metric> metrics, Map<String, String> params,
                                      Map<String, String> tags) {
        Path dir = runDir(runId);
        try {
            for (Map.Entry<String, String> p : params.entrySet()) {
                Path f = dir.resolve("params").resolve(checkKey(p.getKey()));
                if (Files.exists(f)) {
                    String old = Files.readString(f, StandardCharsets.UTF_8);
                    if (!old.equals(p.getValue())) {
                        throw new StoreException("INVALID_PARAMETER_VALUE", "Changing param values is not allowed."
                                + " Param with key='" + p.getKey() + "' was already logged with value='" + old
                                + "' for run ID='" + runId + "'. Attempted logging new value '" + p.getValue() + "'.");
                    }
                } else {
                    write(f, p.getValue());
                }
            }
            for (Map.Entry<String, String> t : tags.entrySet()) {
                write(dir.resolve("tags").resolve(checkKey(t.getKey())), t.getValue());
            }
            Map<String, StringBuilder> lines = new LinkedHashMap<>();
            Map<String, Set<String>> logged = new HashMap<>();
            for (Metric m : metrics) {
                String key = checkKey(m.key());
                Set<String> have = logged.computeIfAbsent(key, k -> loggedLines(dir.resolve("metrics")
                        .resolve(k)));
                String line = m.timestamp() + " " + format(m.value()) + " " + m.step();
                if (have.add(line)) {
                    lines.computeIfAbsent(key, k -> new StringBuilder()).append(line).append('\n');
                }
            }
            for (Map.Entry<String, StringBuilder> e : lines.entrySet()) {
                Files.writeString(dir.resolve("metrics").resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of a metric file, none when it does not exist yet. */
    private static Set<String> loggedLines(Path file) {
        try {
            return Files.exists(file) ? new HashSet<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                    : new HashSet<>();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file into a run's artifacts, at a relative path inside them. */
    public synchronized void writeArtifact(String runId, String path, byte[] content) {
        Path artifacts = runDir(runId).resolve("artifacts");
        Path target = artifacts.resolve(path).normalize();
        if (!target.startsWith(artifacts) || target.equals(artifacts)) {
            throw new StoreException("INVALID_PARAMETER_VALUE", "Artifact path must stay inside the run: " + path);
        }
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the runs of the given experiments whose tags have all the given values, newest first. */
    public synchronized List<Run> searchRuns(List<String> experimentIds, Map<String, String> tagEquals) {
        List<Run> out = new ArrayList<>();
        for (String id : experimentIds) {
            Path dir = experimentDir(id);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> runs = Files.list(dir)) {
                for (Path r : runs.filter(p -> Files.isRegularFile(p.resolve("meta.yaml"))).toList()) {
                    if (!hasTags(r, tagEquals)) {
                        continue;
                    }
                    Run run = run(r.getFileName().toString());
                    if (run.info().lifecycleStage().equals("active")) {
                        out.add(run);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.sort(Comparator.comparingLong((Run r) -> r.info().startTime()).reversed());
        return out;
    }

    private static boolean hasTags(Path run, Map<String, String> tagEquals) throws IOException {
        for (Map.Entry<String, String> e : tagEquals.entrySet()) {
            Path f = run.resolve("tags").resolve(e.getKey());
            if (!Files.isRegularFile(f) || !Files.readString(f, StandardCharsets.UTF_8).equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private Path experimentDir(String id) {
        if (id == null || !EXPERIMENT_ID.matcher(id).matches()) {
            throw new StoreException("RESOURCE_DOES_NOT_EXIST", "No experiment with id " + id);
        }
        return root.resolve(id);
    }

    private Path runDir(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new StoreException("RESOURCE_DOES_NOT_EXIST", "Run '" + runId + "' not found");
        }
        Path known = runDirs.get(runId);
        if (known != null && Files.isRegularFile(known.resolve("meta.yaml"))) {
            return known;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            Path dir = dirs.map(d -> d.resolve(runId)).filter(d -> Files.isRegularFile(d.resolve("meta.yaml")))
                    .findFirst()
                    .orElseThrow(() -> new StoreException("RESOURCE_DOES_NOT_EXIST", "Run '" + runId + "' not found"));
            runDirs.put(runId, dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RunInfo readRunMeta(Path dir) {
        Map<String, Object> m = readYaml(dir.resolve("meta.yaml"));
        Object end = m.get("end_time");
        return new RunInfo(String.valueOf(m.get("run_id")), String.valueOf(m.get("experiment_id")),
                m.get("run_name") == null ? "" : String.valueOf(m.get("run_name")),
                m.get("user_id") == null ? "" : String.valueOf(m.get("user_id")),
                RunStatus.ofCode((int) number(m.get("status"))), number(m.get("start_time")),
                end == null ? null : number(end), String.valueOf(m.get("artifact_uri")),
                String.valueOf(m.get("lifecycle_stage")));
    }

    private void writeRunMeta(Path dir, RunInfo info) throws IOException {
        Map<String, Object> m = new TreeMap<>();
        m.put("artifact_uri", info.artifactUri());
        m.put("end_time", info.endTime());
        m.put("entry_point_name", "");
        m.put("experiment_id", info.experimentId());
        m.put("lifecycle_stage", info.lifecycleStage());
        m.put("run_id", info.runId());
        m.put("run_name", info.runName());
        m.put("run_uuid", info.runId());
        m.put("source_name", "");
        m.put("source_type", 4);
        m.put("source_version", "");
        m.put("start_time", info.startTime());
        m.put("status", info.status().code());
        m.put("tags", List.of());
        m.put("user_id", info.userId());
        writeYaml(dir.resolve("meta.yaml"), m);
    }

    private static Map<String, String> files(Path dir) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Metric, param and tag keys become file names: letters, digits and {@code _ - . / space}, as MLflow allows. */
    private static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 250 || !KEY.matcher(key).matches()) {
            throw new StoreException("INVALID_PARAMETER_VALUE", "Invalid key '" + key + "': 1 to 250 letters,"
                    + " digits, underscores, dashes, periods or spaces");
        }
        return key;
    }

    /**
     * Formats a metric value as MLflow (Python's {@code repr}) writes it: {@code 0.00044}, {@code 1e-05},
     * {@code 2.5}, {@code 1e+16}, {@code nan}, {@code inf}.
     */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent >= -4 && exponent < 16) {
            String plain = d.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = d.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                + String.format(java.util.Locale.ROOT, "%02d", Math.abs(exponent));
    }

    private static void write(Path f, String value) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.writeString(tmp, value, StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(o));
    }

    /**
     * Reads a meta.yaml, parsed anew only when the file changed since this store last parsed it (its identity,
     * modification time and size differ): a trial's run reads its meta.yaml several times (its uploads, its end)
     * and SnakeYAML's parser would be compiled and run for each. (A writer that rewrote the file in place to the
     * same size within the file system's timestamp tick would go unseen; this store replaces files, and MLflow's
     * own changes to a run, its end or its deletion, change its size.)
     */
    private Map<String, Object> readYaml(Path f) {
        try {
            BasicFileAttributes now = Files.readAttributes(f, BasicFileAttributes.class);
            Parsed known = parsed.get(f);
            if (known != null && known.sameFile(now)) {
                return new LinkedHashMap<>(known.yaml());
            }
            // Attributes before content: a file replaced in between is parsed again next time, never kept stale.
            Object o = yamlReader.load(Files.readString(f, StandardCharsets.UTF_8));
            if (!(o instanceof Map<?, ?> m)) {
                throw new StoreException("INTERNAL_ERROR", "not a mapping: " + f);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            if (parsed.size() >= MAX_PARSED) {
                parsed.clear();
            }
            parsed.put(f, new Parsed(now.fileKey(), now.lastModifiedTime(), now.size(),
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(out))));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many parsed meta.yaml files the store keeps at most (it starts afresh when full). */
    private static final int MAX_PARSED = 10_000;

    /** A meta.yaml as this store last parsed it, with the file's identity, modification time and size then. */
    private record Parsed(Object fileKey, FileTime modified, long size, Map<String, Object> yaml) {
        boolean sameFile(BasicFileAttributes now) {
            return fileKey != null && fileKey.equals(now.fileKey()) && modified.equals(now.lastModifiedTime())
                    && size == now.size();
        }
    }

    private void writeYaml(Path f, Map<String, Object> m) throws IOException {
        write(f, yamlWriter.dump(m));
    }

    /** A YAML writer in block style, with no line wrapped. */
    private static Yaml yamlWriter() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setWidth(Integer.MAX_VALUE);
        return new Yaml(new Representer(options), options);
    }
}
