package headwise.engine.model;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.Hooks;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * {@link AttentionPath#QUERY_BLOCKS}: the same attention a block of queries of a head at a time, so no [heads, T, T]
 * tensor ever exists (at 8192 tokens and 32 heads one would take 8.6 GB). Runs that hook the scores or pattern never
 * get here (AttentionPath.choose sends them elsewhere, or refuses them past maxWholeScores): recomputing a head's
 * pattern from its captured q and k is how long inputs are explored.
 *
 * Float32 q, k, v take the per-head products ({@link HeadProducts}) in the layout the projections make, each thread
 * its heads: no transposed or grouped-query copies of the keys and values, and a causal block's scores only as wide
 * as the keys its last query sees. Other types go through ND4J's batched matmul ({@link HeadMajorBlocks}).
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
     * Each of the run's threads takes whole heads ({@link HeadThreads}), a block of queries at a time: q·kᵀ into its
     * own buffer, the masked softmax row by row while the block is in its cache, then pattern·v. The buffers hold a
     * block of queries of one head: no [heads, queries, keys] tensor is built.
     */
    private INDArray attendDense(int layer, INDArray q, INDArray k, INDArray v, int offset, int[] keyLengths) {
        int heads = (int) q.size(2);
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, q.size(0), q.size(1), heads, v.size(3));
        Thread caller = Thread.currentThread(); // a cancel interrupts it, not the pool's threads
        HeadThreads.split((int) q.size(0) * heads, (fromPair, toPair) ->
                attendHeads(new HeadWorker(scores, layer, q, k), v, z, fromPair, toPair, offset, keyLengths, caller));
        Transformer.stopIfInterrupted(layer); // the threads stopped early: z is unfinished
        return z;
    }

    /** Attention of the (copy, head) pairs [fromPair, toPair) into z, on the calling thread. */
    private void attendHeads(HeadWorker worker, INDArray v, INDArray z, int fromPair, int toPair, int offset,
                             int[] keyLengths, Thread caller) {
        HeadProducts.Layout layout = worker.layout();
        int rows = Math.min(layout.queries(), options.queryBlock());
        FloatPointer vs = FloatRows.pointer(v);
        FloatPointer zs = FloatRows.pointer(z);
        FloatPointer block = new FloatPointer((long) rows * layout.keys());
        try {
            HeadProducts.forEachBlock(layout, spec.causal(), offset, keyLengths, rows, fromPair, toPair, (b, h, start, n, seen, visible) -> {
                if (!caller.isInterrupted()) { // cancelled: the blocks left are skipped (a head of a long input takes a second)
                    worker.pattern(b, h, start, n, seen, visible, offset, block.position(0), seen, seen);
                    HeadProducts.headValues(layout, block.position(0), seen, vs, b, h, start, n, seen, zs);
                }
            });
        } finally {
            block.deallocate();
        }
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
