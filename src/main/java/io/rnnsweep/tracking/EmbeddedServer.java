package io.rnnsweep.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The part of MLflow's tracking REST API that rnnsweep uses, served from the driver and persisted in a
 * {@link FileStore}: experiments create / get / get-by-name, runs create / get / update / search /
 * log-batch (and set-tag, log-parameter, log-metric), metric history, and artifact upload
 * ({@code PUT /api/2.0/mlflow-artifacts/artifacts/<experiment>/<run>/artifacts/<path>}).
 *
 * <p>With a token, every request must carry {@code Authorization: Bearer <token>} (mlflow-client sends it
 * from its host credentials); requests without it get 401.
 */
public final class EmbeddedServer implements AutoCloseable {
    private static final String API = "/api/2.0/mlflow/";
    private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Without TCP_NODELAY every small response waits out the client's delayed ACK (~40 ms per request).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }
    private final FileStore store;
    /** Where clients write artifacts themselves, as with {@code --no-serve-artifacts}; null: the server takes them. */
    private final java.nio.file.Path clientArtifacts;
    private final String token;
    private final InetAddress address;
    private final int requestedPort;
    private HttpServer server;
    private ExecutorService pool;

    private EmbeddedServer(FileStore store, InetAddress address, int port, String token,
                           java.nio.file.Path clientArtifacts) {
        this.store = store;
        this.clientArtifacts = clientArtifacts;
        this.address = address;
        this.requestedPort = port;
        this.token = token;
    }

    /**
     * Starts a server.
     *
     * @param store where runs are persisted
     * @param address the address to listen on (loopback when every executor is local)
     * @param port the port, 0 for any free one
     * @param token the bearer token requests must carry, or null for none
     */
    public static EmbeddedServer start(FileStore store, InetAddress address, int port, String token) {
        EmbeddedServer s = new EmbeddedServer(store, address, port, token, null);
        s.listen(port);
        return s;
    }

    /**
     * Starts a server that does not take artifacts, as {@code mlflow server --no-serve-artifacts
     * --default-artifact-root ROOT} runs: runs get {@code file:} artifact URIs under {@code artifactRoot} (a folder
     * every client reaches) and the artifact endpoint answers 503, "disabled".
     */
    public static EmbeddedServer startWithoutArtifacts(FileStore store, InetAddress address, int port, String token,
                                                       java.nio.file.Path artifactRoot) {
        EmbeddedServer s = new EmbeddedServer(store, address, port, token,
                artifactRoot.toAbsolutePath().normalize());
        s.listen(port);
        return s;
    }

    private synchronized void listen(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address.getHostAddress() + ":" + port, e);
        }
        pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "rnnsweep-tracking-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Returns the server's base URI, such as {@code http://127.0.0.1:41234}. */
    public synchronized String uri() {
        String host = address.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    /** Returns the store behind the server. */
    public FileStore store() {
        return store;
    }

    /** Stops answering (connections are refused) until {@link #resume}; for outage tests and restarts. */
    public synchronized void pause() {
        server.stop(0);
        pool.shutdownNow();
    }

    /** Listens again on the same port after {@link #pause}. */
    public synchronized void resume() {
        listen(server.getAddress().getPort());
    }

    @Override
    public synchronized void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (token != null && !authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
                reply(ex, 401, error("UNAUTHENTICATED", "a valid bearer token is required"));
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            try {
                if (path.startsWith(ARTIFACTS) && clientArtifacts != null) {
                    throw new FileStore.StoreException("TEMPORARILY_UNAVAILABLE", "Endpoint: " + ARTIFACTS
                            + " disabled due to the mlflow server running with `--no-serve-artifacts`. To enable"
                            + " artifacts server functionality, run `mlflow server` with `--serve-artifacts`");
                }
                if (path.startsWith(ARTIFACTS) && ex.getRequestMethod().equals("PUT")) {
                    uploadArtifact(ex, URLDecoder.decode(path.substring(ARTIFACTS.length()), StandardCharsets.UTF_8));
                    reply(ex, 200, JSON.createObjectNode());
                } else if (path.startsWith(API)) {
                    JsonNode body = ex.getRequestMethod().equals("GET") ? query(ex) : read(ex.getRequestBody());
                    reply(ex, 200, api(path.substring(API.length()), body));
                } else {
                    reply(ex, 404, error("ENDPOINT_NOT_FOUND", "no endpoint " + path));
                }
            } catch (FileStore.StoreException e) {
                int status = switch (e.code()) {
                    case "RESOURCE_DOES_NOT_EXIST" -> 404;
                    case "INTERNAL_ERROR" -> 500;
                    case "TEMPORARILY_UNAVAILABLE" -> 503;
                    default -> 400;
                };
                reply(ex, status, error(e.code(), e.getMessage()));
            } catch (IllegalArgumentException | NullPointerException e) {
                reply(ex, 400, error("INVALID_PARAMETER_VALUE", String.valueOf(e.getMessage())));
            } catch (RuntimeException e) {
                reply(ex, 500, error("INTERNAL_ERROR", String.valueOf(e)));
            }
        }
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(header.substring(7).getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode api(String endpoint, JsonNode b) {
        ObjectNode out = JSON.createObjectNode();
        switch (endpoint) {
            case "experiments/create" -> out.put("experiment_id", store.createExperiment(text(b, "experiment_name", "name")));
            case "experiments/get" -> out.set("experiment", experiment(store.experiment(text(b, "experiment_id"))));
            case "experiments/get-by-name" -> {
                String name = text(b, "experiment_name");
                out.set("experiment", experiment(store.experimentByName(name).orElseThrow(() ->
                        new FileStore.StoreException("RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name "
                                + name))));
            }
            case "experiments/search" -> {
                ArrayNode list = out.putArray("experiments");
                String filter = b.path("filter").asText("");
                java.util.regex.Matcher m = java.util.regex.Pattern
                        .compile("\\s*(?:attributes\\.)?name\\s*=\\s*'((?:[^'\\\\]|\\\\.)*)'\\s*").matcher(filter);
                if (!filter.isBlank() && !m.matches()) {
                    throw new IllegalArgumentException("unsupported experiment filter (only name = 'NAME'): " + filter);
                }
                String name = filter.isBlank() ? null : m.group(1).replace("\\'", "'").replace("\\\\", "\\");
                store.experiments().stream().filter(e -> e.lifecycleStage().equals("active"))
                        .filter(e -> name == null || e.name().equals(name)).forEach(e -> list.add(experiment(e)));
            }
            case "runs/create" -> {
                Map<String, String> tags = new LinkedHashMap<>();
                b.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
                String name = b.hasNonNull("run_name") ? b.get("run_name").asText() : tags.get("mlflow.runName");
                FileStore.RunInfo info = store.createRun(text(b, "experiment_id"), b.path("user_id").asText(""),
                        b.path("start_time").asLong(System.currentTimeMillis()), name, tags);
                out.set("run", run(store.run(info.runId())));
            }
            case "runs/get" -> out.set("run", run(store.run(text(b, "run_id", "run_uuid"))));
            case "runs/update" -> {
                RunStatus status = b.hasNonNull("status") ? RunStatus.valueOf(b.get("status").asText()) : null;
                Long end = b.hasNonNull("end_time") ? b.get("end_time").asLong() : null;
                String name = b.hasNonNull("run_name") ? b.get("run_name").asText() : null;
                out.set("run_info", runInfo(store.updateRun(text(b, "run_id", "run_uuid"), status, end, name)));
            }
            case "runs/search" -> {
                List<String> ids = new ArrayList<>();
                b.path("experiment_ids").forEach(i -> ids.add(i.asText()));
                ArrayNode runs = out.putArray("runs");
                store.searchRuns(ids, SearchFilter.tagEquals(b.path("filter").asText(""))).stream()
                        .limit(b.path("max_results").asInt(1000)).forEach(r -> runs.add(run(r)));
            }
            case "runs/log-batch" -> {
                List<FileStore.Metric> metrics = new ArrayList<>();
                b.path("metrics").forEach(m -> metrics.add(metric(m)));
                Map<String, String> params = new LinkedHashMap<>();
                b.path("params").forEach(p -> params.put(p.path("key").asText(), p.path("value").asText()));
                Map<String, String> tags = new LinkedHashMap<>();
                b.path("tags").forEach(t -> tags.put(t.path("key").asText(), t.path("value").asText()));
                store.logBatch(text(b, "run_id"), metrics, params, tags);
            }
            case "runs/set-tag" -> store.logBatch(text(b, "run_id", "run_uuid"), List.of(), Map.of(),
                    Map.of(text(b, "key"), b.path("value").asText()));
            case "runs/log-parameter" -> store.logBatch(text(b, "run_id", "run_uuid"), List.of(),
                    Map.of(text(b, "key"), b.path("value").asText()), Map.of());
            case "runs/log-metric" -> store.logBatch(text(b, "run_id", "run_uuid"), List.of(metric(b)), Map.of(), Map.of());
            case "metrics/get-history" -> {
                ArrayNode list = out.putArray("metrics");
                store.metricHistory(text(b, "run_id", "run_uuid"), text(b, "metric_key"))
                        .forEach(m -> list.add(metricJson(m)));
            }
            default -> throw new FileStore.StoreException("ENDPOINT_NOT_FOUND", "no endpoint " + endpoint);
        }
        return out;
    }

    private void uploadArtifact(HttpExchange ex, String path) throws IOException {
        String[] parts = path.split("/", 4);
        if (parts.length < 4 || !parts[2].equals("artifacts")) {
            throw new IllegalArgumentException("artifact path must be <experiment>/<run>/artifacts/<file>: " + path);
        }
        FileStore.RunInfo info = store.runInfo(parts[1]);
        if (!info.experimentId().equals(parts[0])) {
            throw new IllegalArgumentException("run " + parts[1] + " is not in experiment " + parts[0]);
        }
        store.writeArtifact(parts[1], parts[3], ex.getRequestBody().readAllBytes());
    }

    private static FileStore.Metric metric(JsonNode m) {
        return new FileStore.Metric(m.path("key").asText(), m.path("value").asDouble(Double.NaN),
                m.path("timestamp").asLong(System.currentTimeMillis()), m.path("step").asLong(0));
    }

    private static ObjectNode metricJson(FileStore.Metric m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("key", m.key());
        if (Double.isFinite(m.value())) {
            n.put("value", m.value());
        } else {
            n.put("value", Double.isNaN(m.value()) ? "NaN" : m.value() > 0 ? "Infinity" : "-Infinity");
        }
        n.put("timestamp", m.timestamp());
        n.put("step", m.step());
        return n;
    }

    private static ObjectNode experiment(FileStore.Experiment e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("experiment_id", e.id());
        n.put("name", e.name());
        n.put("artifact_location", e.artifactLocation());
        n.put("lifecycle_stage", e.lifecycleStage());
        n.put("creation_time", e.creationTime());
        n.put("last_update_time", e.lastUpdateTime());
        return n;
    }

    private ObjectNode runInfo(FileStore.RunInfo i) {
        ObjectNode n = JSON.createObjectNode();
        n.put("run_id", i.runId());
        n.put("run_uuid", i.runId());
        n.put("run_name", i.runName());
        n.put("experiment_id", i.experimentId());
        n.put("user_id", i.userId());
        n.put("status", i.status().name());
        n.put("start_time", i.startTime());
        if (i.endTime() != null) {
            n.put("end_time", i.endTime());
        }
        // As MLflow's server hands them out: through its proxy, or where clients write themselves.
        String relative = i.experimentId() + "/" + i.runId() + "/artifacts";
        n.put("artifact_uri", clientArtifacts == null ? "mlflow-artifacts:/" + relative
                : clientArtifacts.resolve(relative).toUri().toString().replaceAll("/$", ""));
        n.put("lifecycle_stage", i.lifecycleStage());
        return n;
    }

    private ObjectNode run(FileStore.Run r) {
        ObjectNode n = JSON.createObjectNode();
        n.set("info", runInfo(r.info()));
        ObjectNode data = n.putObject("data");
        ArrayNode metrics = data.putArray("metrics");
        r.latest().forEach(m -> metrics.add(metricJson(m)));
        ArrayNode params = data.putArray("params");
        r.params().forEach((k, v) -> params.addObject().put("key", k).put("value", v));
        ArrayNode tags = data.putArray("tags");
        r.tags().forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
        return n;
    }

    private static String text(JsonNode b, String... names) {
        for (String name : names) {
            if (b.hasNonNull(name) && !b.get(name).asText().isEmpty()) {
                return b.get(name).asText();
            }
        }
        throw new IllegalArgumentException("Missing value for required parameter '" + names[0] + "'");
    }

    private static JsonNode query(HttpExchange ex) {
        ObjectNode n = JSON.createObjectNode();
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String pair : q.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    n.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return n;
    }

    private static JsonNode read(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        return bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error_code", code);
        n.put("message", message);
        return n;
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
