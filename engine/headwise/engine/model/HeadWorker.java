package headwise.engine.model;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One thread's share of a layer's attention ({@link HeadThreads}): its own pointers to q and k (the products position
 * them) and a row of scratch, with which it turns a head's block of queries into attention weights.
 */
final class HeadWorker {

    private final AttentionScores scores;
    private final int layer;
    private final HeadProducts.Layout layout;
    private final FloatPointer q;
    private final FloatPointer k;
    private final float[] row;
    private final float[] bits;

    HeadWorker(AttentionScores scores, int layer, INDArray q, INDArray k) {
        this.scores = scores;
        this.layer = layer;
        this.layout = HeadProducts.Layout.of(q, k);
        this.q = FloatRows.pointer(q);
        this.k = FloatRows.pointer(k);
        this.row = new float[layout.keys()];
        this.bits = new float[layout.keys()];
    }

    HeadProducts.Layout layout() {
        return layout;
    }

    /**
     * The attention weights of queries [start, start + rows) of copy b, head h (query i at position offset + i) over
     * the first {@code seen} keys, of which the first {@code visible} exist: q·kᵀ into {@code rows} rows of
     * {@code ld} floats from {@code out}, then each row's masked softmax in place, with zeros from seen up to
     * {@code width}.
     */
    void pattern(int b, int h, int start, int rows, int seen, int visible, int offset, FloatPointer out, int ld, int width) {
        HeadProducts.headScores(layout, q, k, b, h, start, rows, seen, out, ld);
        FloatPointer at = new FloatPointer(out);
        for (int r = 0; r < rows; r++) {
            at.position(out.position() + (long) r * ld).get(row, 0, seen);
            scores.softmaxRow(layer, row, row, bits, width, offset + start + r, visible);
            at.position(out.position() + (long) r * ld).put(row, 0, width);
        }
    }
}
