package io.rnnsweep.nn;

import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * DL4J's updater without its per-update cost for regularization a network does not have.
 *
 * <p>DL4J's {@code UpdaterBlock} looks for each parameter's regularization twice per update (before and after the
 * updater step) and, before looking, makes views of the whole network's parameters and gradient for it: four
 * new arrays per parameter per look, each with a native shape buffer that the garbage collector and two
 * deallocator threads must retire. For the tasks' small networks that is 40% of the native buffers a training
 * step makes, and their retirement was a fifth of a small sweep's time (young collections that stop every trial
 * of the JVM). {@link #install} replaces each of the network's updater blocks by one that skips the look when
 * none of its parameters is regularized; the update itself is DL4J's, unchanged.
 */
public final class LeanUpdater {
    private LeanUpdater() {
    }

    /** Replaces the updater blocks of a layer stack or a graph by lean ones (creating its updater if needed). */
    public static void install(Model model) {
        List<UpdaterBlock> blocks = updater(model, true).getUpdaterBlocks();
        for (int i = 0; i < blocks.size(); i++) {
            UpdaterBlock b = blocks.get(i);
            if (!(b instanceof Block)) {
                blocks.set(i, new Block(b));
            }
        }
    }

    /** Returns whether the model's updater runs on lean blocks only. */
    public static boolean installed(Model model) {
        BaseMultiLayerUpdater<?> updater = updater(model, false);
        return updater != null && updater.getUpdaterBlocks().stream().allMatch(b -> b instanceof Block);
    }

    /** The updater of a layer stack or a graph; created when {@code create} and there is none yet, else null. */
    private static BaseMultiLayerUpdater<?> updater(Model model, boolean create) {
        return model instanceof MultiLayerNetwork m ? (BaseMultiLayerUpdater<?>) m.getUpdater(create)
                : (BaseMultiLayerUpdater<?>) ((ComputationGraph) model).getUpdater(create);
    }

    /** An updater block that looks for regularization only when some parameter of it has any. */
    static final class Block extends UpdaterBlock {
        private final boolean regularized;

        Block(UpdaterBlock b) {
            super(b.getParamOffsetStart(), b.getParamOffsetEnd(), b.getUpdaterViewOffsetStart(),
                    b.getUpdaterViewOffsetEnd(), b.getLayersAndVariablesInBlock());
            setUpdaterView(b.getUpdaterView());
            setGradientView(b.getGradientView());
            setUpdaterViewRequiresInitialization(b.isUpdaterViewRequiresInitialization());
            setGradientUpdater(b.getGradientUpdater());
            this.regularized = b.getLayersAndVariablesInBlock().stream().anyMatch(p -> {
                List<Regularization> r = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
                return r != null && !r.isEmpty();
            });
        }

        @Override
        protected void applyRegularizationAllVariables(Regularization.ApplyStep step, int iteration, int epoch,
                                                       boolean external, INDArray gradient, INDArray params) {
            if (regularized) {
                super.applyRegularizationAllVariables(step, iteration, epoch, external, gradient, params);
            }
        }
    }
}
