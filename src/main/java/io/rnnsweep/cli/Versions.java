package io.rnnsweep.cli;

import io.rnnsweep.spark.SparkTrialExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** The code and library versions a sweep ran with, as tags for its parent run. */
final class Versions {
    private Versions() {
    }

    /** Returns {@code rnnsweep.git_sha} (when the code runs from a git checkout) and the library versions. */
    static Map<String, String> tags() {
        Map<String, String> tags = new LinkedHashMap<>();
        gitSha().ifPresent(sha -> tags.put("rnnsweep.git_sha", sha));
        tags.put("mlflow.source.git.commit", tags.getOrDefault("rnnsweep.git_sha", "unknown"));
        tags.put("rnnsweep.version.java", System.getProperty("java.version"));
        tags.put("rnnsweep.version.spark", SparkTrialExecutor.sparkVersion());
        tags.put("rnnsweep.version.dl4j", maven("org.deeplearning4j", "deeplearning4j-nn"));
        tags.put("rnnsweep.version.nd4j", maven("org.nd4j", "nd4j-api"));
        tags.put("rnnsweep.version.mlflow_client", maven("org.mlflow", "mlflow-client"));
        return tags;
    }

    private static String maven(String group, String artifact) {
        try (InputStream in = Versions.class.getResourceAsStream(
                "/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Returns the commit of the checkout the running classes were built in, if git can tell. */
    private static java.util.Optional<String> gitSha() {
        try {
            Path code = Path.of(Versions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path repo = code.getParent() != null ? code.getParent().getParent() : null;
            if (repo == null || !Files.exists(repo.resolve(".git"))) {
                return java.util.Optional.empty();
            }
            Process p = new ProcessBuilder("git", "-C", repo.toString(), "rev-parse", "HEAD")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return java.util.Optional.empty();
            }
            String sha = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return sha.matches("[0-9a-f]{40}") ? java.util.Optional.of(sha) : java.util.Optional.empty();
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }
}
