package headwise.engine.analysis.intervene;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.Hooks;
import headwise.engine.hooks.Interventions;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.ModelInput;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ZeroTuning (METHODS.md, Interventions on sinks): in the chosen heads, scale every query's attention to the first
 * token by γ and renormalise the row, {@code A'_i0 = γA_i0/Z_i}, {@code A'_ij = A_ij/Z_i}, {@code Z_i = 1+(γ−1)A_i0}
 * (the same as adding ln γ to the first token's score), before A·V. Returns the output distribution with and
 * without it. Two forwards.
 */
public final class ZeroTuning {

    private ZeroTuning() {
    }

    /**
     * @param gamma    γ ≥ 0 (1 changes nothing)
     * @param heads    where to apply it
     * @param position output row compared; null = the last (classifiers: their one row)
     */
    public static OutputShift apply(LoadedModel model, ModelInput input, double gamma, HeadSelection heads, Integer position) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new HeadwiseException("ZeroTuning: gamma must be a finite number >= 0, is " + gamma);
        }
        OutputRuns.requireDistribution(model.spec(), model, "ZeroTuning");
        INDArray clean = OutputRuns.run(model, input, Hooks.none());
        INDArray tuned = OutputRuns.run(model, input, hooks(heads, gamma));
        int row = OutputRuns.row(clean, position, "ZeroTuning");
        return OutputShift.between(row, OutputRuns.logits(clean, row), OutputRuns.logits(tuned, row));
    }

    /** The hook_pattern interventions: key 0 re-weighted by γ in the chosen heads of each layer. */
    public static Hooks hooks(HeadSelection heads, double gamma) {
        Hooks hooks = Hooks.none();
        int[][] perLayer = heads.headsPerLayer();
        for (int l = 0; l < perLayer.length; l++) {
            if (perLayer[l].length > 0) {
                Interventions.reweightKeys(hooks, l, gamma, new int[] {0}, perLayer[l]);
            }
        }
        return hooks;
    }
}
