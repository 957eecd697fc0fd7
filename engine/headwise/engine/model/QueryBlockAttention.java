package headwise.engine.model;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.Hooks;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * {@link AttentionPath#QUERY_BLOCKS}: the same attention a block of queries at a time, so no [heads, T, T] tensor
 * ever exists (at 8192 tokens and 32 heads one would take 8.6 GB). Runs that hook the scores or pattern never get
 * here (AttentionPath.choose refuses them): recomputing a head's pattern from its captured q and k is how long
 * inputs are explored.
 *
 * Float32 q, k, v take the per-head products ({@link HeadProducts}) block by block, in the layout the projections
 * make: no transposed or grouped-query copies of the keys and values, and a causal block's scores only as wide as
 * the keys its last query sees. Other types go through ND4J's batched matmul ({@link HeadMajorBlocks}).
 */
final class QueryBlockAttention implements Attention {

    private final ModelSpec spec;
    private final ForwardOptions options;
    private final AttentionScores scores;
    private final HeadMajorBlocks headMajor;

    QueryBlockAttention(ModelSpec spec, ForwardOptions options, AttentionScores scores) {
        this.spec = spec;
        this.options = options;
        this.scores = scores;
        this.headMajor = new HeadMajorBlocks(spec, options, scores);
    }

    @Override
    public INDArray attend(int layer, INDArray q, INDArray k, INDArray v, int offset, int[] keyLengths, Hooks hooks,
                           ActivationCache cache) {
        if (q.dataType() != DataType.FLOAT || k.dataType() != DataType.FLOAT || v.dataType() != DataType.FLOAT) {
            return headMajor.attend(layer, q, k, v, offset, keyLengths, hooks, cache);
        }
        INDArray dq = PerHeadAttention.dense(q);
        INDArray dk = PerHeadAttention.dense(k);
        INDArray dv = PerHeadAttention.dense(v);
        INDArray z = attendDense(layer, dq, dk, dv, offset, keyLengths);
        PerHeadAttention.freeCopy(dq, q);
        PerHeadAttention.freeCopy(dk, k);
        PerHeadAttention.freeCopy(dv, v);
        return z;
    }

    /**
     * Every block's scores live in one buffer allocated once per layer: a fresh [heads, rows, keys] array per block
     * (268 MB at 8192 tokens and 32 heads) is page-faulted in at a cost close to the block's arithmetic.
     */
    private INDArray attendDense(int layer, INDArray q, INDArray k, INDArray v, int offset, int[] keyLengths) {
        long batch = q.size(0);
        long heads = q.size(2);
        int length = (int) q.size(1);
        int keys = (int) k.size(1);
        int rows = Math.min(length, blockRows(options, batch * heads, keys));
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, batch, length, heads, v.size(3));
        DataBuffer space = Nd4j.createBuffer(DataType.FLOAT, batch * heads * rows * keys, false);
        for (int start = 0; start < length; start += rows) {
            Transformer.stopIfInterrupted(layer); // a block of a long input can take seconds
            int end = Math.min(length, start + rows);
            int width = spec.causal() ? Math.min(keys, offset + end) : keys;
            INDArray block = Nd4j.create(space, new long[] {batch, heads, end - start, width}, Nd4j.getStrides(
                    new long[] {batch, heads, end - start, width}, 'c'), 0, 'c', DataType.FLOAT);
            HeadProducts.scores(q, start, k, spec.causal(), offset, keyLengths, options.queryBlock(), block);
            scores.softmaxInPlace(layer, block, offset + start, keyLengths);
            HeadProducts.weightedValues(block, v, spec.causal(), offset + start, keyLengths, options.queryBlock(), z, start);
        }
        if (space.closeable()) { // not in a block arena, which reuses its memory itself
            space.close();
        }
        return z;
    }

    /** Queries per block: as many as keep batch·heads·queries·keys within maxWholeScores, at least one. */
    static int blockRows(ForwardOptions options, long batchHeads, long keys) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, options.maxWholeScores() / (batchHeads * keys)));
    }

    /** Query blocks through ND4J's batched matmul on [batch, head, pos, d_head] views: activations other than float32. */
    private static final class HeadMajorBlocks extends HeadMajorAttention {

        private final ForwardOptions options;

        HeadMajorBlocks(ModelSpec spec, ForwardOptions options, AttentionScores scores) {
            super(spec, scores);
            this.options = options;
        }

        @Override
        INDArray attendHeads(int layer, INDArray qh, INDArray kh, INDArray vh, int offset, int[] keyLengths, Hooks hooks,
                             ActivationCache cache) {
            long batch = qh.size(0);
            long length = qh.size(2);
            long keys = kh.size(2);
            long rows = blockRows(options, batch * qh.size(1), keys);
            INDArray perHead = Nd4j.createUninitialized(qh.dataType(), batch, qh.size(1), length, qh.size(3));
            for (long start = 0; start < length; start += rows) {
                Transformer.stopIfInterrupted(layer); // a block of a long input can take seconds
                long end = Math.min(length, start + rows);
                INDArray block = qh.get(all(), all(), interval(start, end), all()).dup('c');
                // a causal block's queries see no key after its last position: those keys are left out of both products
                long seen = spec.causal() ? Math.min(keys, offset + end) : keys;
                INDArray blockKeys = seen == keys ? kh : kh.get(all(), all(), interval(0, seen), all());
                INDArray blockValues = seen == keys ? vh : vh.get(all(), all(), interval(0, seen), all());
                INDArray pattern = scores.softmaxOfScores(layer, block, blockKeys, offset + (int) start, keyLengths);
                if (pattern == null) {
                    INDArray blockScores = scores.scores(layer, block, blockKeys, offset + (int) start, keyLengths, false);
                    pattern = AttentionScores.softmax(blockScores);
                    Transformer.free(blockScores);
                }
                perHead.get(all(), all(), interval(start, end), all()).assign(Nd4j.matmul(pattern, blockValues));
                Transformer.free(pattern);
                Transformer.free(block);
            }
            return perHead;
        }
    }
}
