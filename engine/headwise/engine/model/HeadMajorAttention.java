package headwise.engine.model;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.Hooks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * The paths that use ND4J's batched matmul: they see q, k, v as [batch, head, pos, d_head] views (rank-4 matmul is
 * exact on permuted views, ND4J-PITFALLS.md), key/value heads repeated for grouped-query attention, and hand z back
 * as [batch, pos, head, d_head].
 */
abstract class HeadMajorAttention implements Attention {

    final ModelSpec spec;
    final AttentionScores scores;

    HeadMajorAttention(ModelSpec spec, AttentionScores scores) {
        this.spec = spec;
        this.scores = scores;
    }

    /** Attention on [batch, head, pos, d_head] views: the outputs [batch, head, queries, d_head]. */
    abstract INDArray attendHeads(int layer, INDArray qh, INDArray kh, INDArray vh, int offset, int[] keyLengths, Hooks hooks,
                                  ActivationCache cache);

    @Override
    public final INDArray attend(int layer, INDArray q, INDArray k, INDArray v, int offset, int[] keyLengths, Hooks hooks,
                                 ActivationCache cache) {
        INDArray qh = q.permute(0, 2, 1, 3);
        INDArray kh = repeatKv(k).permute(0, 2, 1, 3);
        INDArray vh = repeatKv(v).permute(0, 2, 1, 3);
        INDArray perHead = attendHeads(layer, qh, kh, vh, offset, keyLengths, hooks, cache);
        if (spec.heads() != spec.kvHeads()) {
            Transformer.free(kh);
            Transformer.free(vh);
        }
        INDArray z = FloatRows.dense(perHead) && perHead.length() <= FloatRows.MAX_TRANSPOSE ? FloatRows.headsToPositions(perHead)
                : perHead.permute(0, 2, 1, 3).dup('c');
        Transformer.free(perHead);
        return z;
    }

    /** Grouped-query attention: each key/value head serves heads/kvHeads consecutive query heads. */
    private INDArray repeatKv(INDArray kv) {
        int group = spec.heads() / spec.kvHeads();
        if (group == 1) {
            return kv;
        }
        long batch = kv.size(0);
        long length = kv.size(1);
        INDArray expanded = Nd4j.createUninitialized(kv.dataType(), batch, length, spec.kvHeads(), group, spec.dHead());
        for (int g = 0; g < group; g++) {
            expanded.get(all(), all(), all(), point(g), all()).assign(kv);
        }
        return expanded.reshape(batch, length, spec.heads(), spec.dHead());
    }
}
