package headwise.engine.analysis.importance;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;

/**
 * What a model's output lets head importance measure, decided by the model's output head.
 * <ul>
 *   <li>{@link #NEXT_TOKEN}: causal LM; loss = mean next-token NLL (positions 0..T−2 predicting ids 1..T−1; ids of −1,
 *   the image positions of a joined vision-language input, are no targets: {@link LossTargets}).</li>
 *   <li>{@link #SAME_TOKEN}: bidirectional LM head (masked LM); loss = mean NLL of each position's own input id.</li>
 *   <li>{@link #CLASS}: classifier [1, classes]; loss = −log p(target class), target = clean prediction unless chosen.</li>
 *   <li>{@link #HIDDEN}: bare encoder, no logits; only the L2 (Frobenius, over all positions) change of the final
 *   hidden state is measured.</li>
 * </ul>
 */
public enum Readout {
    NEXT_TOKEN, SAME_TOKEN, CLASS, HIDDEN;

    public static Readout of(ModelSpec spec, ModelWeights weights) {
        if (weights.unembed() == null || spec.output() == ModelSpec.Output.HIDDEN_STATE) {
            return HIDDEN;
        }
        if (spec.output() == ModelSpec.Output.CLASS_LOGITS) {
            return CLASS;
        }
        return spec.causal() ? NEXT_TOKEN : SAME_TOKEN;
    }

    /** The id position {@code t}'s logits are scored against for the loss, or −1 when it has none. */
    int lossTarget(int[] ids, int t) {
        return switch (this) {
            case NEXT_TOKEN -> t + 1 < ids.length ? ids[t + 1] : -1;
            case SAME_TOKEN -> ids[t];
            default -> -1;
        };
    }
}
