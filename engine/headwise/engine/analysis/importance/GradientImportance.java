package headwise.engine.analysis.importance;

import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.Transformer;
import headwise.engine.run.InputEmbeddings;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.UnaryOperator;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * Gradient head importance (METHODS.md, Head importance; Michel et al. 2019) in one forward and one backward
 * pass of a SameDiff copy of the forward ({@link GatedForward}) whose head gates are variables.
 */
public final class GradientImportance {

    /**
     * @param objective       L; null = {@link Objective#defaultFor} the model
     * @param normalizeLayers divide each layer's |∂L/∂ξ| by their L2 norm
     */
    public record Options(Objective objective, boolean normalizeLayers) {
        public static Options defaults() {
            return new Options(null, false);
        }
    }

    private GradientImportance() {
    }

    public static GradientScores compute(LoadedModel model, ModelInput input, Options options) {
        Transformer transformer = model.transformer();
        INDArray embedded = InputEmbeddings.of(transformer, input);
        if (embedded != null) {
            // ids: an LM's loss, with a joined input's image positions left out as targets
            return compute(transformer, input.embeddings() != null ? LossTargets.of(model, input) : null, embedded, options);
        }
        return compute(transformer, input.ids(), null, options);
    }

    public static GradientScores compute(Transformer transformer, int[] ids, Options options) {
        return compute(transformer, ids, null, options);
    }

    /**
     * @param ids      the ids the LM losses score (with {@code embedded}, −1 marks a position no loss term predicts)
     * @param embedded [1, T, d] embeddings computed elsewhere (vision), or null to embed {@code ids}
     */
    public static GradientScores compute(Transformer transformer, int[] ids, INDArray embedded, Options options) {
        INDArray input = embedded != null ? embedded : transformer.embed(new int[][] {ids}, 0);
        Objective objective = options.objective();
        if (objective == null) {
            INDArray clean = embedded != null ? transformer.runFromEmbeddings(embedded, Hooks.none()).output()
                    : transformer.run(new int[][] {ids}, Hooks.none()).output();
            objective = Objective.defaultFor(transformer.spec(), transformer.weights(), clean);
        }
        GatedForward graph = GatedForward.build(transformer.spec(), transformer.weights(), input, ids, objective);
        double[][] gradient = graph.gradients();
        double loss = graph.loss();
        double[][] importance = new double[gradient.length][];
        for (int l = 0; l < gradient.length; l++) {
            importance[l] = new double[gradient[l].length];
            double norm = 0;
            for (int h = 0; h < gradient[l].length; h++) {
                importance[l][h] = Math.abs(gradient[l][h]);
                norm += importance[l][h] * importance[l][h];
            }
            if (options.normalizeLayers() && norm > 0) {
                double n = Math.sqrt(norm);
                for (int h = 0; h < importance[l].length; h++) {
                    importance[l][h] /= n;
                }
            }
        }
        return new GradientScores(objective.describe(ids), loss, gradient, importance, options.normalizeLayers());
    }

    /** The {@code hook_z} function multiplying head {@code head}'s context by {@code gate} (the real forward's ξ). */
    public static UnaryOperator<INDArray> gate(int head, double gate) {
        return z -> {
            INDArray out = z.dup('c');
            out.get(all(), all(), point(head), all()).muli(gate);
            return out;
        };
    }

    /** Hooks that gate one head of one layer on the real forward (for finite differences). */
    public static Hooks gated(int layer, int head, double gate) {
        return Hooks.none().intervene(HookNames.z(layer), gate(head, gate));
    }
}
