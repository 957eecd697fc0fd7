package headwise.engine.model;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static headwise.engine.model.Ops.NO_TRANS;
import static headwise.engine.model.Ops.ROW_MAJOR;
import static headwise.engine.model.Ops.TRANS;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * Attention's two products, q·kᵀ and pattern·v, as one BLAS call per head and block of queries, reading q, k, v in
 * the [batch, pos, head, d_head] layout the projections make and writing z in it: no transposed copies, no copies of
 * key/value heads for grouped-query attention, and, in a causal model, no products with the keys after a block's
 * last query: about half the work of ND4J's batched matmul, which computes the whole square (docs/performance.md).
 */
final class HeadProducts {

    private HeadProducts() {
    }

    /** Whether these products can take q (or k, v): dense float32 [batch, pos, heads, d_head]. */
    static boolean suits(INDArray x) {
        return x.rank() == 4 && FloatRows.dense(x);
    }

    /**
     * scores [batch, heads, queries, keys] = q·kᵀ (unscaled), for query i at position offset + i. Causal: the
     * entries after each block's last position are not computed and hold garbage, which the masked softmax
     * ({@link FloatRows#softmaxInPlace}) never reads and overwrites with zeros.
     *
     * Copy b's keys from keyLengths[b] on (a padded batch; null: none) are left out the same way.
     *
     * @param queryBlock queries per product of a causal model (ForwardOptions.queryBlock)
     */
    static INDArray scores(INDArray q, INDArray k, boolean causal, int offset, int[] keyLengths, int queryBlock) {
        INDArray scores = ScoreSpare.take(q.size(0), q.size(2), q.size(1), k.size(1)); // the last layer's, where it was freed
        scores(q, 0, k, causal, offset, keyLengths, queryBlock, scores);
        return scores;
    }

    /**
     * The same for the queries [from, from + rows) of q (query i at position offset + i) into {@code out} [batch,
     * heads, rows, width]: over the first width keys (a causal block's last query sees no more than offset + from +
     * rows of them). {@code out} is only written through its address, so it may be a reused buffer's first elements.
     */
    static void scores(INDArray q, int from, INDArray k, boolean causal, int offset, int[] keyLengths, int queryBlock,
                       INDArray out) {
        Layout layout = Layout.of(q, k);
        int rows = (int) out.size(2);
        int width = (int) out.size(3);
        FloatPointer qs = FloatRows.pointer(q);
        FloatPointer ks = FloatRows.pointer(k);
        FloatPointer os = FloatRows.pointer(out);
        forEachBlock(out, causal, offset + from, keyLengths, queryBlock, (b, h, start, n, seen) ->
                headScores(layout, qs, ks, b, h, from + start, n, seen,
                        os.position(((long) (b * layout.heads() + h) * rows + start) * width), width));
    }

    /** z [batch, queries, heads, d_head] = pattern [batch, heads, queries, keys] · v, over the keys each block sees. */
    static INDArray weightedValues(INDArray pattern, INDArray v, boolean causal, int offset, int[] keyLengths, int queryBlock) {
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, pattern.size(0), pattern.size(2), pattern.size(1), v.size(3));
        weightedValues(pattern, v, causal, offset, keyLengths, queryBlock, z, 0);
        return z;
    }

    /**
     * pattern [batch, heads, rows, width] (rows queries from position offset, over the first width keys) · v into
     * rows [from, from + rows) of z [batch, queries, heads, d_head].
     */
    static void weightedValues(INDArray pattern, INDArray v, boolean causal, int offset, int[] keyLengths, int queryBlock,
                               INDArray z, int from) {
        Layout layout = Layout.of(z, v);
        int rows = (int) pattern.size(2);
        int width = (int) pattern.size(3);
        FloatPointer ps = FloatRows.pointer(pattern);
        FloatPointer vs = FloatRows.pointer(v);
        FloatPointer zs = FloatRows.pointer(z);
        forEachBlock(pattern, causal, offset, keyLengths, queryBlock, (b, h, start, n, seen) ->
                headValues(layout, ps.position(((long) (b * layout.heads() + h) * rows + start) * width), width, vs,
                        b, h, from + start, n, seen, zs));
    }

    /**
     * The shapes the products read: q (or z) [batch, queries, heads, d_head], k (or v) [batch, keys, kvHeads, d_head].
     */
    record Layout(int queries, int heads, int keys, int kvHeads, int dHead) {

        static Layout of(INDArray queriesSide, INDArray keysSide) {
            return new Layout((int) queriesSide.size(1), (int) queriesSide.size(2), (int) keysSide.size(1),
                    (int) keysSide.size(2), (int) queriesSide.size(3));
        }

        /** The key/value head that query head h reads (grouped-query attention shares one among heads / kvHeads). */
        int kvHead(int h) {
            return h / (heads / kvHeads);
        }

        long queryAt(int b, int query, int h) {
            return ((long) (b * queries + query) * heads + h) * dHead;
        }

        long keyAt(int b, int h) {
            return ((long) b * keys * kvHeads + kvHead(h)) * dHead;
        }
    }

    /**
     * One head's q·kᵀ: queries [from, from + rows) of copy b, head h over the first {@code seen} keys, into rows of
     * {@code ld} floats from {@code out}. One BLAS call; q and k are positioned, so each thread passes its own pointers.
     */
    static void headScores(Layout l, FloatPointer q, FloatPointer k, int b, int h, int from, int rows, int seen,
                           FloatPointer out, int ld) {
        cblas_sgemm(ROW_MAJOR, NO_TRANS, TRANS, rows, seen, l.dHead(), 1f, q.position(l.queryAt(b, from, h)),
                l.heads() * l.dHead(), k.position(l.keyAt(b, h)), l.kvHeads() * l.dHead(), 0f, out, ld);
    }

    /**
     * One head's pattern·v: rows of {@code ld} floats from {@code pattern} over the first {@code seen} values, into
     * z's queries [from, from + rows) of copy b, head h. One BLAS call; v and z are positioned (pointers per thread).
     */
    static void headValues(Layout l, FloatPointer pattern, int ld, FloatPointer v, int b, int h, int from, int rows,
                           int seen, FloatPointer z) {
        cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, rows, l.dHead(), seen, 1f, pattern, ld, v.position(l.keyAt(b, h)),
                l.kvHeads() * l.dHead(), 0f, z.position(l.queryAt(b, from, h)), l.heads() * l.dHead());
    }

    /** One product of a head's block of queries: copy b, head h, queries [start, start + rows). */
    private interface BlockProduct {
        void compute(int b, int h, int start, int rows, int seen);
    }

    /**
     * Calls {@code product} for every copy, head and block of queries of a [batch, heads, queries, keys] score shape
     * whose first query is at position {@code offset}, with the keys the block may see ({@code seen}: all, or in a
     * causal model those up to its last position, and in a padded batch no more than the copy's keyLengths[b]).
     */
    private static void forEachBlock(INDArray scoreShape, boolean causal, int offset, int[] keyLengths,
                                     int queryBlock, BlockProduct product) {
        int batch = (int) scoreShape.size(0);
        int heads = (int) scoreShape.size(1);
        int queries = (int) scoreShape.size(2);
        int keys = (int) scoreShape.size(3);
        int block = causal ? queryBlock : queries;
        for (int b = 0; b < batch; b++) {
            int visible = keyLengths == null ? keys : Math.min(keys, keyLengths[b]);
            for (int h = 0; h < heads; h++) {
                for (int start = 0; start < queries; start += block) {
                    int rows = Math.min(block, queries - start);
                    int seen = causal ? Math.min(visible, offset + start + rows) : visible;
                    product.compute(b, h, start, rows, seen);
                }
            }
        }
    }
}
