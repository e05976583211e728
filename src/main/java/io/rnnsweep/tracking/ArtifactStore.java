package io.rnnsweep.tracking;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a run's artifacts where its artifact URI points when the tracking server does not take them through its
 * proxy (a server started with {@code --no-serve-artifacts} hands out {@code file:}, {@code hdfs://} or
 * {@code s3://} URIs): through Hadoop's FileSystem API, as MLflow's own clients write there themselves.
 * {@code s3://} is read as {@code s3a://}; {@code spark.hadoop.*} system properties apply.
 */
final class ArtifactStore {
    private ArtifactStore() {
    }

    /** Writes {@code content} as {@code path} under the artifact folder {@code artifactUri}, replacing any file. */
    static void write(String artifactUri, String path, byte[] content) throws IOException {
        String base = artifactUri.startsWith("s3://") ? "s3a://" + artifactUri.substring("s3://".length())
                : artifactUri;
        URI uri = URI.create(base.replaceAll("/+$", "") + "/" + path);
        if ("file".equals(uri.getScheme())) {
            java.nio.file.Path local = java.nio.file.Path.of(uri);
            java.nio.file.Files.createDirectories(local.getParent());
            java.nio.file.Files.write(local, content);
            return;
        }
        Path target = new Path(uri);
        Configuration conf = new Configuration();
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String key = String.valueOf(e.getKey());
            if (key.startsWith("spark.hadoop.")) {
                conf.set(key.substring("spark.hadoop.".length()), String.valueOf(e.getValue()));
            }
        }
        try (FileSystem fs = FileSystem.newInstance(target.toUri(), conf)) {
            fs.mkdirs(target.getParent());
            try (OutputStream out = fs.create(target, true)) {
                out.write(content);
            }
        }
    }
}
