package io.rnnsweep.task;

import io.rnnsweep.nn.LeanUpdater;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A task's DL4J network, a {@link MultiLayerNetwork} or a {@link ComputationGraph}, behind the few operations
 * the trainer needs.
 */
public final class Network implements AutoCloseable {
    private final MultiLayerNetwork layers;
    private final ComputationGraph graph;

    private Network(MultiLayerNetwork layers, ComputationGraph graph) {
        this.layers = layers;
        this.graph = graph;
    }

    /** Wraps an initialized layer stack, its updater made lean ({@link LeanUpdater}). */
    public static Network of(MultiLayerNetwork net) {
        LeanUpdater.install(net);
        return new Network(Objects.requireNonNull(net), null);
    }

    /** Wraps an initialized computation graph, its updater made lean ({@link LeanUpdater}). */
    public static Network of(ComputationGraph net) {
        LeanUpdater.install(net);
        return new Network(null, Objects.requireNonNull(net));
    }

    /** Returns the wrapped DL4J model. */
    public Model model() {
        return layers != null ? layers : graph;
    }

    /** Returns the layer stack; fails for a graph. */
    public MultiLayerNetwork layers() {
        if (layers == null) {
            throw new IllegalStateException("this network is a computation graph");
        }
        return layers;
    }

    /** Returns the computation graph; fails for a layer stack. */
    public ComputationGraph graph() {
        if (graph == null) {
            throw new IllegalStateException("this network is a layer stack");
        }
        return graph;
    }

    /** Returns the network's layers in order. */
    public Layer[] allLayers() {
        return layers != null ? layers.getLayers() : graph.getLayers();
    }

    /** Runs one {@code fit} of DL4J on the batch: one update, or one per window under truncated BPTT. */
    public void fit(Batch batch) {
        if (layers != null) {
            layers.fit(batch.single());
        } else {
            graph.fit(batch.multi());
        }
    }

    /** Replaces the network's training listeners. */
    public void setListeners(TrainingListener... listeners) {
        if (layers != null) {
            layers.setListeners(listeners);
        } else {
            graph.setListeners(listeners);
        }
    }

    /** Returns the flattened parameter vector (a view). */
    public INDArray params() {
        return model().params();
    }

    /** Returns how many updates the network has made (Adam's bias correction reads it). */
    public int iterationCount() {
        return layers != null ? layers.getIterationCount() : graph.getIterationCount();
    }

    /** Clears the state kept by {@code rnnTimeStep}. */
    public void rnnClearPreviousState() {
        if (layers != null) {
            layers.rnnClearPreviousState();
        } else {
            graph.rnnClearPreviousState();
        }
    }

    /** Writes configuration, parameters and updater state with DL4J's {@link ModelSerializer}. */
    public void write(OutputStream out) throws IOException {
        ModelSerializer.writeModel(model(), out, true);
    }

    /** Returns whether this network is a computation graph (else a layer stack). */
    public boolean isGraph() {
        return graph != null;
    }

    /** Reads a network, with its updater state, from {@link #write} output. */
    public static Network read(InputStream in, boolean graph) throws IOException {
        return graph
                ? of(ModelSerializer.restoreComputationGraph(in, true))
                : of(ModelSerializer.restoreMultiLayerNetwork(in, true));
    }

    /**
     * Frees what DL4J's own {@code close()} frees (parameters, gradients, updater state, this thread's workspaces)
     * without the {@code System.gc()} it ends with: that full collection, once per trial, stopped every trial of
     * the JVM for 50-130 ms.
     */
    @Override
    public void close() {
        free(params());
        free(layers != null ? layers.getFlattenedGradients() : graph.getFlattenedGradients());
        org.deeplearning4j.nn.api.Updater updater = layers != null ? layers.getUpdater(false) : graph.getUpdater(false);
        if (updater != null) {
            free(updater.getStateViewArray());
        }
        // One by one: destroyAllWorkspacesForCurrentThread() ends with a System.gc() too.
        var workspaces = org.nd4j.linalg.factory.Nd4j.getWorkspaceManager();
        for (var workspace : List.copyOf(workspaces.getAllWorkspacesForCurrentThread())) {
            workspaces.destroyWorkspace(workspace);
        }
    }

    private static void free(INDArray array) {
        if (array != null && array.closeable()) {
            array.close();
        }
    }
}
