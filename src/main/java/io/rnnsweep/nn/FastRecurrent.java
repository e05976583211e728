package io.rnnsweep.nn;

import io.rnnsweep.trial.Cell;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configuration of a fast recurrent layer: a simple RNN (tanh), an LSTM or a GRU cell, as PyTorch defines
 * them. Its parameters are {@code W} [nIn, g·n], {@code RW} [n, g·n], {@code b} [g·n] and {@code RB} [g·n]
 * with g = 1, 4 or 3 gates: PyTorch's {@code W_ih}, {@code W_hh}, {@code b_ih} and {@code b_hh}, two biases
 * that each learn at the full rate and count in the global gradient norm (the GRU's candidate part of
 * {@code RB} sits inside its reset gate's product, as PyTorch's {@code b_hn}); the LSTM's gate order is DL4J's
 * (block input, forget, output, input), the GRU's PyTorch's (reset, update, candidate).
 */
public final class FastRecurrent extends BaseRecurrentLayer {
    private static final long serialVersionUID = 1L;
    private Cell cell = Cell.RNN;

    /** For JSON deserialization. */
    private FastRecurrent() {
        super();
    }

    private FastRecurrent(Builder builder) {
        super(builder);
        this.cell = builder.cell;
    }

    /** Returns the cell. */
    public Cell getCell() {
        return cell;
    }

    /** Sets the cell (JSON deserialization). */
    public void setCell(Cell cell) {
        this.cell = cell;
    }

    /** Returns how many blocks of n columns the weights have: 1 (RNN), 4 (LSTM) or 3 (GRU). */
    public int gates() {
        return gates(cell);
    }

    /** Returns how many blocks of n columns a cell's weights have: 1 (RNN), 4 (LSTM) or 3 (GRU). */
    static int gates(Cell cell) {
        return switch (cell) {
            case RNN -> 1;
            case LSTM -> 4;
            case GRU -> 3;
        };
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(this, new FastRecurrentLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
                initializer(), initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return FastRecurrentParams.INSTANCE;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastRecurrent f && super.equals(o) && f.cell == cell;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + cell.hashCode();
    }

    /** Builds the layer. */
    public static final class Builder extends BaseRecurrentLayer.Builder<Builder> {
        private Cell cell = Cell.RNN;

        /** Sets the cell. */
        public Builder cell(Cell c) {
            this.cell = c;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public FastRecurrent build() {
            return new FastRecurrent(this);
        }
    }
}
