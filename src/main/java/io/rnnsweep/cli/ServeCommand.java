package io.rnnsweep.cli;

import io.rnnsweep.tracking.EmbeddedServer;
import io.rnnsweep.tracking.FileStore;
import io.rnnsweep.trial.InvalidOptionException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Serves a sweep store (the embedded {@code ./mlruns}) over MLflow's REST API, as the sweep's embedded server
 * does while it runs: for the review notebook, {@code report --sweep --tracking-uri} or any MLflow client.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve an rnnsweep tracking store (MLflow's file-store layout) over MLflow's REST API until"
                + " stopped (Ctrl-C).")
final class ServeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--store", paramLabel = "DIR", description = "the store to serve (default ./mlruns)")
    private Path store = Path.of("mlruns");

    @Option(names = "--host", paramLabel = "ADDRESS", description = "the address to listen on (default 127.0.0.1)")
    private String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "the port (default 5000; 0: any free one)")
    private int port = 5000;

    @Override
    public Integer call() throws InterruptedException {
        if (!Files.isDirectory(store)) {
            throw new InvalidOptionException("store", store.toString(), "an existing folder holding a tracking store"
                    + " (a sweep's --tracking-uri folder, ./mlruns by default)");
        }
        if (port < 0 || port > 65535) {
            throw new InvalidOptionException("port", Integer.toString(port), "an integer from 0 to 65535");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new InvalidOptionException("host", host, "an address or host name of this machine");
        }
        EmbeddedServer server;
        try {
            server = EmbeddedServer.start(new FileStore(store), address, port, null);
        } catch (UncheckedIOException e) {
            throw new InvalidOptionException("port", Integer.toString(port), "a port free on " + host + " ("
                    + e.getCause().getMessage() + ")");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "rnnsweep-serve-stop"));
        spec.commandLine().getOut().printf("serving %s at %s (MLflow REST API; Ctrl-C stops)%n",
                store.toAbsolutePath().normalize(), server.uri());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
