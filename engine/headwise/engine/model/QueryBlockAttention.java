package headwise.engine.model;

import headwise.engine.hooks.ActivationCache;
import headwise.engine.hooks.Hooks;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.IntStream;

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
     * Each of the run's threads takes whole heads, a block of queries at a time: q·kᵀ into its own buffer, the masked
     * softmax row by row while the block is in its cache, then pattern·v, each product one BLAS call on that thread
     * ({@link BlasThreads}). Nothing waits for another thread between the steps, and no [heads, queries, keys] tensor is
     * built: the buffers hold a block of queries of one head (docs/performance.md, "Long inputs, a head per thread").
     */
    private INDArray attendDense(int layer, INDArray q, INDArray k, INDArray v, int offset, int[] keyLengths) {
        int batch = (int) q.size(0);
        int heads = (int) q.size(2);
        int pairs = batch * heads;
        int parts = Math.min(FloatRows.threads(), pairs);
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, batch, q.size(1), heads, v.size(3));
        Thread caller = Thread.currentThread(); // a cancel interrupts it, not the pool's threads
        try (BlasThreads.Scope oneEach = BlasThreads.onePerCall(parts > 1)) {
            IntStream.range(0, parts).parallel().forEach(part ->
                    attendHeads(layer, q, k, v, z, part * pairs / parts, (part + 1) * pairs / parts, offset, keyLengths, caller));
        }
        Transformer.stopIfInterrupted(layer); // the threads stopped early: z is unfinished
        return z;
    }

    /** Attention of the (copy, head) pairs [fromPair, toPair) into z, on the calling thread. */
    private void attendHeads(int layer, INDArray q, INDArray k, INDArray v, INDArray z, int fromPair, int toPair, int offset,
                             int[] keyLengths, Thread caller) {
        HeadProducts.Layout layout = HeadProducts.Layout.of(q, k);
        int length = layout.queries();
        int keys = layout.keys();
        int rows = Math.min(length, options.queryBlock());
        // this thread's own pointers: the products position them
        FloatPointer qs = FloatRows.pointer(q);
        FloatPointer ks = FloatRows.pointer(k);
        FloatPointer vs = FloatRows.pointer(v);
        FloatPointer zs = FloatRows.pointer(z);
        FloatPointer block = new FloatPointer((long) rows * keys);
        FloatPointer row = new FloatPointer(block);
        float[] values = new float[keys];
        float[] bits = new float[keys];
        try {
            for (int pair = fromPair; pair < toPair; pair++) {
                int b = pair / layout.heads();
                int h = pair % layout.heads();
                int visible = keyLengths == null ? keys : Math.min(keys, keyLengths[b]);
                for (int start = 0; start < length; start += rows) {
                    if (caller.isInterrupted()) { // cancelled: a head of a long input can take a second
                        return;
                    }
                    int n = Math.min(rows, length - start);
                    // a causal block's queries see no key after its last position
                    int seen = spec.causal() ? Math.min(visible, offset + start + n) : visible;
                    HeadProducts.headScores(layout, qs, ks, b, h, start, n, seen, block.position(0), seen);
                    for (int r = 0; r < n; r++) {
                        row.position((long) r * seen).get(values, 0, seen);
                        scores.softmaxRow(layer, values, values, bits, seen, offset + start + r, visible);
                        row.position((long) r * seen).put(values, 0, seen);
                    }
                    HeadProducts.headValues(layout, block.position(0), seen, vs, b, h, start, n, seen, zs);
                }
            }
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
