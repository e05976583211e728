package io.rnnsweep.spark;

import io.rnnsweep.execution.CheckpointStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints on any Hadoop FileSystem: a local folder ({@code file:}) in local mode or on a shared mount,
 * {@code hdfs://}, {@code s3a://} (with hadoop-aws on the classpath) on a cluster. It carries the sweep's
 * {@code spark.hadoop.*} settings to the executors, as Spark does for its own Hadoop configuration.
 */
public final class HadoopCheckpointStore implements CheckpointStore {
    private static final long serialVersionUID = 1L;
    private final Map<String, String> settings;

    /**
     * Creates the store.
     *
     * @param settings Hadoop settings (the {@code spark.hadoop.} prefix removed)
     */
    public HadoopCheckpointStore(Map<String, String> settings) {
        this.settings = new LinkedHashMap<>(settings);
    }

    /** Returns the store configured by this JVM's {@code spark.hadoop.*} system properties (spark-submit's). */
    public static HadoopCheckpointStore fromSystemProperties() {
        Map<String, String> settings = new LinkedHashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("spark.hadoop."))
                .forEach(k -> settings.put(k.substring("spark.hadoop.".length()), System.getProperty(k)));
        return new HadoopCheckpointStore(settings);
    }

    private Configuration configuration() {
        Configuration conf = new Configuration();
        settings.forEach(conf::set);
        return conf;
    }

    /** Returns a FileSystem of this store's own (not Hadoop's shared cached one), to be closed after use. */
    private FileSystem fileSystem(Path path) throws IOException {
        FileSystem fs = FileSystem.newInstance(path.toUri(), configuration());
        // No .crc side files on local folders: a checkpoint is a zip, which checks its own entries.
        fs.setWriteChecksum(false);
        fs.setVerifyChecksum(false);
        return fs;
    }

    /**
     * Checks that a folder URI names a FileSystem this classpath can reach (its scheme has an implementation),
     * without creating anything.
     *
     * @throws IOException naming what is missing
     */
    public void checkScheme(String dir) throws IOException {
        Path p = new Path(dir);
        String scheme = p.toUri().getScheme();
        if (scheme != null) {
            FileSystem.getFileSystemClass(scheme, configuration());
        }
    }

    /**
     * Checks that this machine can write where {@code dir} names a folder: writes and removes a small file in it,
     * or in its nearest existing parent when it does not exist yet (which is left as it was), within
     * {@code timeoutMillis}.
     *
     * @throws IOException saying what failed, or that the FileSystem did not answer in time
     */
    public void probeWritable(String dir, long timeoutMillis) throws IOException {
        java.util.concurrent.ExecutorService probe = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rnnsweep-checkpoint-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            probe.submit(() -> {
                Path p = new Path(dir);
                try (FileSystem fs = fileSystem(p)) {
                    Path existing = p;
                    while (existing != null && !fs.exists(existing)) {
                        existing = existing.getParent();
                    }
                    if (existing == null) {
                        throw new IOException("no part of " + dir + " exists");
                    }
                    Path file = new Path(existing, ".rnnsweep-probe-" + UUID.randomUUID());
                    try (OutputStream out = fs.create(file, false)) {
                        out.write(0);
                    }
                    fs.delete(file, false);
                }
                return null;
            }).get(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("no answer within " + timeoutMillis / 1000 + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            probe.shutdownNow();
        }
    }

    /**
     * Returns the local path of a {@code file:} URI, written through java.nio (atomic, and without the shell calls
     * Hadoop's local FileSystem makes for permissions, which an interrupted trial would log as errors); null for
     * any other scheme.
     */
    private static java.nio.file.Path local(String uri) {
        java.net.URI u = java.net.URI.create(uri);
        return "file".equals(u.getScheme()) ? java.nio.file.Path.of(u) : null;
    }

    @Override
    public void download(String uri, java.nio.file.Path to) throws IOException {
        java.nio.file.Path local = local(uri);
        if (local != null) {
            Files.copy(local, to, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        Path p = new Path(uri);
        try (FileSystem fs = fileSystem(p); InputStream in = fs.open(p)) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void upload(java.nio.file.Path from, String uri) throws IOException {
        java.nio.file.Path local = local(uri);
        if (local != null) {
            Files.createDirectories(local.getParent());
            java.nio.file.Path tmp = local.resolveSibling("." + local.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.copy(from, tmp);
                Files.move(tmp, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return;
        }
        Path target = new Path(uri);
        try (FileSystem fs = fileSystem(target)) {
            fs.mkdirs(target.getParent());
            // Write beside the target, then swap it in, so a reader never sees half a checkpoint.
            Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
            try (OutputStream out = fs.create(tmp, true)) {
                Files.copy(from, out);
            }
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                fs.delete(tmp, false);
                throw new IOException("could not move the new checkpoint into place at " + uri);
            }
        }
    }

    @Override
    public void removeIfEmpty(String dir) throws IOException {
        java.nio.file.Path local = local(dir);
        if (local != null) {
            if (Files.isDirectory(local)) {
                try (var entries = Files.list(local)) {
                    if (entries.findAny().isPresent()) {
                        return;
                    }
                }
                Files.deleteIfExists(local);
            }
            return;
        }
        Path p = new Path(dir);
        try (FileSystem fs = fileSystem(p)) {
            if (fs.exists(p) && fs.listStatus(p).length == 0) {
                fs.delete(p, false);
            }
        }
    }

    @Override
    public void delete(String uri) throws IOException {
        java.nio.file.Path local = local(uri);
        if (local != null) {
            Files.deleteIfExists(local);
            return;
        }
        Path p = new Path(uri);
        try (FileSystem fs = fileSystem(p)) {
            fs.delete(p, false);
        }
    }
}
