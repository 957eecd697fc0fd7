package headwise.engine.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * The scaled, masked attention scores and their softmax, shared by every attention path of one model. Scores are
 * turned into a pattern in exactly two ways: {@link #softmaxInPlace} (float32, one pass that skips the masked
 * half) and {@link #scores} then ND4J's softmax (other types, and wherever a hook needs the scores as a tensor).
 */
final class AttentionScores {

    private final ModelSpec spec;
    /**
     * The last mask built for each window size: local and global layers alternate (Gemma-2/3), so one slot per
     * window keeps each layer from rebuilding the other kind's mask.
     */
    private final Map<Integer, CausalMask> lastMasks = new ConcurrentHashMap<>();

    AttentionScores(ModelSpec spec) {
        this.spec = spec;
    }

    /**
     * In place: dense float32 q·kᵀ [batch, head, queries, keys], queries from {@code offset}, to
     * softmax(softcap(scale·q·kᵀ) + mask) with {@code layer}'s scale, soft-cap and window; copy b sees only its
     * first keyLengths[b] keys (a padded batch; null: all keys).
     */
    INDArray softmaxInPlace(int layer, INDArray scores, int offset, int[] keyLengths) {
        FloatRows.softmaxInPlace(scores, spec.attentionScale(), spec.variant().scoreSoftcap(), spec.causal(), offset,
                spec.window(layer), keyLengths);
        return scores;
    }

    /**
     * One row of {@link #softmaxInPlace}: the q·kᵀ scores in[0, width) of the query at {@code position} over keys of
     * which the first {@code visible} exist, into out (may be in; {@code bits}: scratch as long as the row).
     */
    void softmaxRow(int layer, float[] in, float[] out, float[] bits, int width, int position, int visible) {
        FloatRows.maskedSoftmaxRow(in, out, bits, 0, width, position, visible, spec.attentionScale(),
                spec.variant().scoreSoftcap(), spec.causal(), spec.window(layer));
    }

    /**
     * {@code layer}'s softmax(softcap(scale·q·kᵀ) + mask) of [batch, head, pos, d_head] views in one pass over the scores (FloatRows);
     * null when the inputs are not float32 (then {@link #scores} and ND4J's softmax do it).
     */
    INDArray softmaxOfScores(int layer, INDArray qh, INDArray kh, int offset, int[] keyLengths) {
        if (qh.dataType() != DataType.FLOAT || kh.dataType() != DataType.FLOAT) {
            return null; // decided before the product, which would otherwise be computed twice
        }
        INDArray scores = Nd4j.matmul(qh, kh, false, true, false);
        if (!FloatRows.dense(scores)) { // a new c-order array in every case seen; copied if ever not
            INDArray product = scores;
            scores = product.dup('c');
            Transformer.free(product);
        }
        return softmaxInPlace(layer, scores, offset, keyLengths);
    }

    /** softmax over the keys of scores that {@link #scores} made (and a hook may have changed). */
    static INDArray softmax(INDArray scores) {
        return Nd4j.nn().softmax(scores, 3);
    }

    /**
     * softcap(scale·q·kᵀ) plus the causal (and sliding-window) mask of {@code layer} for queries starting at position
     * {@code offset}, and −∞ on the padded keys of copy b (from keyLengths[b]; null: none).
     * @param reuseMask keep the mask for the next layer and run (whole inputs); blocks build and free their own
     */
    INDArray scores(int layer, INDArray qh, INDArray kh, int offset, int[] keyLengths, boolean reuseMask) {
        INDArray scores = Nd4j.matmul(qh, kh, false, true, false).muli(spec.attentionScale());
        double cap = spec.variant().scoreSoftcap();
        if (cap > 0) {
            scores = Transforms.tanh(scores.divi(cap), false).muli(cap);
        }
        if (spec.causal()) {
            long queries = qh.size(2);
            long keys = kh.size(2);
            int window = spec.window(layer);
            INDArray mask = reuseMask ? causalMask(offset, queries, keys, window, scores.dataType())
                    : maskArray(offset, queries, keys, window, scores.dataType());
            Nd4j.getExecutioner().exec(new BroadcastAddOp(scores, mask, scores, 2, 3));
            if (!reuseMask) {
                mask.close();
            }
        }
        for (int b = 0; keyLengths != null && b < keyLengths.length; b++) {
            if (keyLengths[b] < kh.size(2)) {
                scores.get(point(b), all(), all(), interval(keyLengths[b], kh.size(2))).assign(Double.NEGATIVE_INFINITY);
            }
        }
        return scores;
    }

    /**
     * [queries, keys] with −∞ where query {@code offset+i} may not see key j: later keys, and with a sliding
     * window keys more than window−1 positions back (Mistral: i − j < window).
     */
    private INDArray causalMask(int offset, long queries, long keys, int window, DataType type) {
        CausalMask cached = lastMasks.get(window);
        if (cached != null && cached.offset() == offset && cached.queries() == queries && cached.keys() == keys
                && cached.mask().dataType() == type) {
            return cached.mask();
        }
        INDArray created;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) { // outlives the block arena
            created = maskArray(offset, queries, keys, window, type);
        }
        created.setCloseable(false); // shared by every layer of the run, and by the next run of the same shape
        lastMasks.put(window, new CausalMask(offset, queries, keys, created));
        return created;
    }

    private INDArray maskArray(int offset, long queries, long keys, int window, DataType type) {
        float[] mask = new float[(int) (queries * keys)];
        for (int i = 0; i < queries; i++) {
            int position = offset + i;
            for (int j = 0; j < keys; j++) {
                boolean hidden = j > position || (window > 0 && position - j >= window);
                if (hidden) {
                    mask[(int) (i * keys + j)] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        INDArray created = Nd4j.create(mask, new long[] {queries, keys}, DataType.FLOAT);
        return type == DataType.FLOAT ? created : created.castTo(type);
    }

    /** A window's last mask: every layer of that window in a run, and in the next run of the same shape, uses it. */
    private record CausalMask(int offset, long queries, long keys, INDArray mask) {
    }
}
