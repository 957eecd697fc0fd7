package headwise.engine.model;

import headwise.engine.HeadwiseException;
import headwise.engine.hooks.HookNames;
import headwise.engine.hooks.Hooks;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The three ways the forward computes softmax(q·kᵀ/√d + mask)·v, one chosen per run ({@link #choose}). Every path
 * applies the same hooks: q, k, v before it, z after it, and attn_scores and pattern on whole [batch, heads, queries,
 * keys] tensors. Only {@link #QUERY_BLOCKS} builds no whole tensor, so a run on it that hooks attn_scores or pattern
 * is refused before it starts.
 */
enum AttentionPath {
    /** One BLAS call per head and query block (HeadProducts) on float32 q, k, v: the usual path. */
    PER_HEAD,
    /** ND4J's batched matmul over whole [batch, heads, T, T] tensors: other types, and runs that hook the scores. */
    BATCHED,
    /** A block of queries of a head at a time, so no [heads, T, T] tensor exists: runs with more scores than maxWholeScores. */
    QUERY_BLOCKS;

    /**
     * The path for a run of layers [fromLayer, toLayer) on {@code queries} new positions of {@code batch} sequences
     * attending to {@code keys} keys (cached ones included), with activations of type {@code type}.
     *
     * @throws HeadwiseException when the run needs query blocks and a hook wants a whole score or pattern tensor
     */
    static AttentionPath choose(ForwardOptions options, ModelSpec spec, long batch, long queries, long keys, DataType type,
                                Hooks hooks, int fromLayer, int toLayer) {
        long scores = batch * spec.heads() * queries * keys;
        if (scores > options.maxWholeScores()) {
            for (int layer = fromLayer; layer < toLayer; layer++) {
                for (String hook : new String[] {HookNames.attnScores(layer), HookNames.pattern(layer)}) {
                    if (hooks.touches(hook)) {
                        throw new HeadwiseException(hook + " needs the whole [heads, queries, keys] tensor, which is not built for "
                                + queries + " queries over " + keys + " keys (" + scores + " scores, more than "
                                + options.maxWholeScores() + " at once); use a shorter input, or capture q and k and recompute the heads");
                    }
                }
            }
            return QUERY_BLOCKS;
        }
        if (type != DataType.FLOAT) {
            return BATCHED;
        }
        for (int layer = fromLayer; layer < toLayer; layer++) {
            if (hooks.touches(HookNames.attnScores(layer))) {
                return BATCHED; // the per-head products never build the scaled, masked scores as a tensor
            }
        }
        return PER_HEAD;
    }
}
