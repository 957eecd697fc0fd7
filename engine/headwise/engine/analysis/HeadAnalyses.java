package headwise.engine.analysis;

import headwise.engine.analysis.heads.NeedlePrompt;
import headwise.engine.analysis.importance.AblationImportance;
import headwise.engine.analysis.intervene.HeadSelection;

import java.util.EnumSet;
import java.util.Set;

/**
 * The optional per-head analyses metrics.json can add (each costs forwards, so none runs unless asked).
 *
 * @param needle          retrieval score on this prompt, or null
 * @param retrievalMaxNew tokens to decode for the retrieval score (0 = the needle's length)
 * @param zeroTuningGamma ZeroTuning γ on {@code heads}, or null
 * @param actBeta         ACT calibration β of the detected sinks of {@code heads}, or null
 * @param heads           heads the interventions apply to
 * @param importance      which importance measures to compute (empty: none)
 * @param ablationScope   what the ablation removes and measures
 * @param contextSpan     {start, end} token span for the context sensitivity, or null
 */
public record HeadAnalyses(NeedlePrompt needle, int retrievalMaxNew, Double zeroTuningGamma, Double actBeta,
                           HeadSelection heads, Set<Importance> importance, AblationImportance.Scope ablationScope,
                           int[] contextSpan) {

    public enum Importance { ZERO, MEAN, GRADIENT }

    public static HeadAnalyses none() {
        return new HeadAnalyses(null, 0, null, null, null, EnumSet.noneOf(Importance.class), AblationImportance.Scope.ALL, null);
    }

    public boolean any() {
        return needle != null || zeroTuningGamma != null || actBeta != null || !importance.isEmpty() || contextSpan != null;
    }
}
