package headwise.engine.model;

import headwise.engine.HeadwiseException;

/**
 * How a run computes what it computes: block sizes, memory arenas, and how captured attention is stored. None of
 * these changes a result beyond float rounding; they trade memory for speed. Immutable; a {@link Transformer}
 * carries one ({@link Transformer#withOptions}), and the app and CLI build theirs once at start-up.
 *
 * @param queryBlock       queries per block of a causal model's per-head attention products: small enough to skip
 *                         most of the keys a block cannot see, large enough for an efficient GEMM
 * @param maxWholeScores   largest batch·heads·queries·keys computed in one piece (64M float32 scores, 256 MB); longer
 *                         inputs attend a block of queries at a time and build no whole [heads, T, T] tensor
 * @param blockArena       run each block's temporaries in one reused ND4J workspace (see BlockArena); off only to
 *                         measure what it brings
 * @param attentionStorage how a full-capture run stores its attention patterns (MemoryBudget picks within it)
 */
public record ForwardOptions(int queryBlock, long maxWholeScores, boolean blockArena, AttentionStorage attentionStorage) {

    /** Storage for captured attention: AUTO takes the first of F32, F16, RECOMPUTE that fits the free memory. */
    public enum AttentionStorage {
        AUTO, F32, F16, RECOMPUTE
    }

    public ForwardOptions {
        if (queryBlock < 1) {
            throw new HeadwiseException("the attention query block must be 1 or more, is " + queryBlock);
        }
        if (maxWholeScores < 1) {
            throw new HeadwiseException("the largest whole attention must be 1 score or more, is " + maxWholeScores);
        }
        if (attentionStorage == null) {
            throw new HeadwiseException("no attention storage given");
        }
    }

    public static ForwardOptions defaults() {
        return new ForwardOptions(128, 64L << 20, true, AttentionStorage.AUTO);
    }

    public ForwardOptions withQueryBlock(int queries) {
        return new ForwardOptions(queries, maxWholeScores, blockArena, attentionStorage);
    }

    public ForwardOptions withMaxWholeScores(long scores) {
        return new ForwardOptions(queryBlock, scores, blockArena, attentionStorage);
    }

    public ForwardOptions withBlockArena(boolean on) {
        return new ForwardOptions(queryBlock, maxWholeScores, on, attentionStorage);
    }

    public ForwardOptions withAttentionStorage(AttentionStorage storage) {
        return new ForwardOptions(queryBlock, maxWholeScores, blockArena, storage);
    }
}
