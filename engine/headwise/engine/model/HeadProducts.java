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
     * The shapes the products read: q (or z) [batch, queries, heads, d_head], k (or v) [batch, keys, kvHeads, d_head].
     */
    record Layout(int batch, int queries, int heads, int keys, int kvHeads, int dHead) {

        static Layout of(INDArray queriesSide, INDArray keysSide) {
            return new Layout((int) queriesSide.size(0), (int) queriesSide.size(1), (int) queriesSide.size(2),
                    (int) keysSide.size(1), (int) keysSide.size(2), (int) queriesSide.size(3));
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

        /** Where query {@code query} of copy b, head h starts in a [batch, heads, queries, width] score or pattern tensor. */
        long patternAt(int b, int h, int query, int width) {
            return ((long) (b * heads + h) * queries + query) * width;
        }
    }

    /**
     * One head's q·kᵀ (unscaled): queries [from, from + rows) of copy b, head h over the first {@code seen} keys, into
     * rows of {@code ld} floats from {@code out}. One BLAS call; it positions q and k, so each thread has its own.
     */
    static void headScores(Layout l, FloatPointer q, FloatPointer k, int b, int h, int from, int rows, int seen,
                           FloatPointer out, int ld) {
        cblas_sgemm(ROW_MAJOR, NO_TRANS, TRANS, rows, seen, l.dHead(), 1f, q.position(l.queryAt(b, from, h)),
                l.heads() * l.dHead(), k.position(l.keyAt(b, h)), l.kvHeads() * l.dHead(), 0f, out, ld);
    }

    /**
     * One head's pattern·v: rows of {@code ld} floats from {@code pattern} over the first {@code seen} values, into
     * z's queries [from, from + rows) of copy b, head h. One BLAS call; it positions v and z (each thread its own).
     */
    static void headValues(Layout l, FloatPointer pattern, int ld, FloatPointer v, int b, int h, int from, int rows,
                           int seen, FloatPointer z) {
        cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, rows, l.dHead(), seen, 1f, pattern, ld, v.position(l.keyAt(b, h)),
                l.kvHeads() * l.dHead(), 0f, z.position(l.queryAt(b, from, h)), l.heads() * l.dHead());
    }

    /**
     * scores [batch, heads, queries, keys] = q·kᵀ (unscaled), for query i at position offset + i, one BLAS call per
     * head and block of queries on this thread (OpenBLAS's threads share each call). Causal: the entries after each
     * block's last position are not computed and hold garbage, which the masked softmax
     * ({@link FloatRows#softmaxInPlace}) never reads and overwrites with zeros. Copy b's keys from keyLengths[b] on
     * (a padded batch; null: none) are left out the same way.
     *
     * @param queryBlock queries per product of a causal model (ForwardOptions.queryBlock)
     */
    static INDArray scores(INDArray q, INDArray k, boolean causal, int offset, int[] keyLengths, int queryBlock) {
        INDArray scores = ScoreSpare.take(q.size(0), q.size(2), q.size(1), k.size(1)); // the last layer's, where it was freed
        Layout layout = Layout.of(q, k);
        int keys = layout.keys();
        FloatPointer qs = FloatRows.pointer(q);
        FloatPointer ks = FloatRows.pointer(k);
        FloatPointer os = FloatRows.pointer(scores);
        forEachBlock(layout, causal, offset, keyLengths, causal ? queryBlock : layout.queries(), 0, layout.batch() * layout.heads(),
                (b, h, start, rows, seen, visible) -> headScores(layout, qs, ks, b, h, start, rows, seen,
                        os.position(layout.patternAt(b, h, start, keys)), keys));
        return scores;
    }

    /**
     * z [batch, queries, heads, d_head] = pattern [batch, heads, queries, keys] · v over the keys each block of queries
     * sees (query i at position offset + i), one BLAS call per head and block on this thread.
     *
     * @param causal     whether the pattern is 0 after each query's position (a replaced pattern may not be)
     * @param keyLengths copy b's keys from keyLengths[b] on have weight 0 (a padded batch; null: none)
     * @param queryBlock queries per product of a causal model (ForwardOptions.queryBlock)
     */
    static INDArray weightedValues(INDArray pattern, INDArray v, boolean causal, int offset, int[] keyLengths, int queryBlock) {
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, pattern.size(0), pattern.size(2), pattern.size(1), v.size(3));
        Layout layout = Layout.of(z, v);
        int width = (int) pattern.size(3);
        FloatPointer ps = FloatRows.pointer(pattern);
        FloatPointer vs = FloatRows.pointer(v);
        FloatPointer zs = FloatRows.pointer(z);
        forEachBlock(layout, causal, offset, keyLengths, causal ? queryBlock : layout.queries(), 0, layout.batch() * layout.heads(),
                (b, h, start, rows, seen, visible) -> headValues(layout, ps.position(layout.patternAt(b, h, start, width)),
                        width, vs, b, h, start, rows, seen, zs));
        return z;
    }

    /** One product of a head's block of queries: copy b, head h, queries [start, start + rows) over {@code seen} keys. */
    interface BlockProduct {
        /** @param visible the keys copy b has (fewer than all in a padded batch); seen ≤ visible */
        void compute(int b, int h, int start, int rows, int seen, int visible);
    }

    /**
     * Calls {@code product} for the (copy, head) pairs [fromPair, toPair) (pair = copy · heads + head) of queries
     * {@code layout.queries()} from position {@code offset}, {@code block} queries at a time, with the keys each
     * block may see: all of the copy's, or in a causal model those up to the block's last position.
     */
    static void forEachBlock(Layout layout, boolean causal, int offset, int[] keyLengths, int block, int fromPair,
                             int toPair, BlockProduct product) {
        int queries = layout.queries();
        for (int pair = fromPair; pair < toPair; pair++) {
            int b = pair / layout.heads();
            int visible = keyLengths == null ? layout.keys() : Math.min(layout.keys(), keyLengths[b]);
            for (int start = 0; start < queries; start += block) {
                int rows = Math.min(block, queries - start);
                int seen = causal ? Math.min(visible, offset + start + rows) : visible;
                product.compute(b, pair % layout.heads(), start, rows, seen, visible);
            }
        }
    }
}
