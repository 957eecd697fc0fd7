package headwise.engine.analysis.importance;

import headwise.engine.hooks.Interventions;

/**
 * Single-head ablation effects, each [layer][head], ablated minus clean (so a head the model needs has
 * Δloss &gt; 0, Δlogit &lt; 0).
 *
 * @param mode          how the head was removed from {@code hook_z}
 * @param readout       what the output allows measuring; for {@link Readout#HIDDEN} only {@code hiddenChange} is set
 *                      and the logit measures are null
 * @param target        token or class id whose logit/probability is read ({@code position}); −1 for HIDDEN
 * @param position      the output row read for Δlogit, Δprob and {@code kl} (last position; 0 for classifiers)
 * @param baselineLoss  the clean loss (see {@link Readout}); NaN when it has no positions (e.g. one-token LM input)
 * @param baselineLogit the clean logit of {@code target} at {@code position}
 * @param baselineProb  the clean probability of {@code target} at {@code position}
 * @param deltaLoss     Δ loss
 * @param deltaLogit    Δ logit of {@code target} at {@code position}
 * @param deltaProb     Δ probability of {@code target} at {@code position}
 * @param kl            KL(clean ‖ ablated) of the output distribution at {@code position} (nats)
 * @param klMean        KL(clean ‖ ablated) averaged over all output rows
 * @param hiddenChange  HIDDEN only: ‖ablated − clean‖₂ of the final hidden state [T, d] (Frobenius)
 * @param scope         what was removed and measured; outside {@link AblationImportance.Scope#ALL} only the
 *                      {@code position} measures are set ({@code deltaLoss}, {@code klMean} null)
 */
public record AblationScores(
        Interventions.Ablation mode,
        Readout readout,
        int layers,
        int heads,
        int target,
        int position,
        double baselineLoss,
        double baselineLogit,
        double baselineProb,
        double[][] deltaLoss,
        double[][] deltaLogit,
        double[][] deltaProb,
        double[][] kl,
        double[][] klMean,
        double[][] hiddenChange,
        AblationImportance.Scope scope) {

    /**
     * The main effect size for ranking heads: Δloss when the output has a loss and it was measured, KL at the
     * position when only that row was, else the hidden-state change.
     */
    public double[][] primary() {
        return readout == Readout.HIDDEN ? hiddenChange : deltaLoss != null ? deltaLoss : kl;
    }
}
