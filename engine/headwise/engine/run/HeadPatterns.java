package headwise.engine.run;

import headwise.engine.model.ModelSpec;
import headwise.engine.model.SingleHeadPattern;

/**
 * One head's attention pattern recomputed from its layer's queries and keys (after RoPE), with the forward's own
 * masked softmax: softmax(softcap(scale·q·kᵀ) + mask) with the layer's scale, soft-cap and window. Only a T×T
 * matrix exists at a time, so long inputs that attend in query blocks (no whole [heads, T, T] tensor) still get
 * their patterns, one head after another.
 */
public final class HeadPatterns {

    private HeadPatterns() {
    }

    /**
     * @param queries [T, heads, dHead] row-major (hook_q of batch element 0)
     * @param keys    [T, kvHeads, dHead] row-major (hook_k of batch element 0)
     * @return the head's [T·T] pattern, row = query
     */
    public static float[] recompute(ModelSpec spec, int layer, int head, int length, float[] queries, float[] keys) {
        int dHead = spec.dHead();
        float[] q = column(queries, length, spec.heads(), head, dHead);
        float[] k = column(keys, length, spec.kvHeads(), head / (spec.heads() / spec.kvHeads()), dHead);
        return SingleHeadPattern.compute(spec, layer, q, k, length);
    }

    /** One head's [T, dHead] slice of a [T, n, dHead] array. */
    private static float[] column(float[] all, int length, int n, int index, int dHead) {
        float[] out = new float[length * dHead];
        for (int t = 0; t < length; t++) {
            System.arraycopy(all, (t * n + index) * dHead, out, t * dHead, dHead);
        }
        return out;
    }
}
