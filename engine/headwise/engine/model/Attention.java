package headwise.engine.model;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.Hooks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer's softmax(q·kᵀ/√d + mask)·v on one {@link AttentionPath}: q [batch, queries, heads, d_head] (query i at
 * position offset + i), k and v [batch, keys, kv_heads, d_head] (cached keys included) to z [batch, queries, heads,
 * d_head]. The attn_scores and pattern hooks apply inside; q, k, v and z are the caller's. {@code keyLengths}: in a
 * right-padded batch of a bidirectional model, copy b attends to its first keyLengths[b] keys only (null: all keys;
 * a causal model's real positions never see the padding after them, so it passes null).
 */
interface Attention {

    INDArray attend(int layer, INDArray q, INDArray k, INDArray v, int offset, int[] keyLengths, Hooks hooks,
                    ActivationCache cache);

    /**
     * Frees a [heads, T, T]-sized temporary now, or keeps it as the next layer's score buffer ({@link ScoreSpare}):
     * ND4J returns native memory only when the garbage collector runs, which on long inputs lets gigabytes of dead
     * score matrices pile up. Kept when a hook captured it, or when an intervention replaced it (the replacement
     * might share its memory).
     */
    static void freeUnlessKept(INDArray produced, INDArray afterHooks, String hook, Hooks hooks) {
        if (produced == afterHooks && !hooks.captures(hook)) {
            ScoreSpare.giveBack(produced);
        }
    }
}
