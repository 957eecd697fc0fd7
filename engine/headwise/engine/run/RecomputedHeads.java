package headwise.engine.run;

import headwise.engine.model.ModelSpec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attention patterns kept as each layer's queries and keys (after RoPE) and recomputed per head when asked:
 * {@link HeadPatterns#recompute}. At 8192 tokens a 1B Llama's 704 patterns would take 94 GB even as float16; its q and
 * k take 1.7 GB. The most recently used heads are kept (up to {@link #CACHE_BYTES}) so views that read one head
 * value by value do not recompute it each time.
 */
final class RecomputedHeads {

    static final long CACHE_BYTES = 512L << 20;

    private final int heads;
    private final int length;
    private final ModelSpec spec;
    private final float[][] queries; // [layer] → [T, heads, dHead] row-major
    private final float[][] keys;    // [layer] → [T, kvHeads, dHead]
    private final Map<Integer, float[]> recent;

    RecomputedHeads(ModelSpec spec, int length) {
        this.heads = spec.heads();
        this.length = length;
        this.spec = spec;
        this.queries = new float[spec.layers()][];
        this.keys = new float[spec.layers()][];
        long headBytes = Math.max(4L, 4L * length * length);
        int keep = (int) Math.max(1, Math.min(64, CACHE_BYTES / headBytes));
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, float[]> eldest) {
                return size() > keep;
            }
        };
    }

    /** Bytes of Java heap the stored queries and keys of a run take. */
    static long bytes(ModelSpec spec, int length) {
        return MemoryBudget.product(4, spec.layers(), length, spec.heads() + spec.kvHeads(), spec.dHead());
    }

    /** Hands the queries and keys of the layers below {@code fromLayer} to {@code other} (shared, never changed). */
    void shareLayersBelow(RecomputedHeads other, int fromLayer) {
        for (int l = 0; l < fromLayer; l++) {
            other.queries[l] = queries[l];
            other.keys[l] = keys[l];
        }
    }

    void setQueries(int layer, float[] q) {
        queries[layer] = q;
    }

    void setKeys(int layer, float[] k) {
        keys[layer] = k;
    }

    /** The head's T×T pattern (shared: callers must not modify it). */
    synchronized float[] head(int layer, int head) {
        return recent.computeIfAbsent(layer * heads + head, m -> compute(layer, head));
    }

    private float[] compute(int layer, int head) {
        if (queries[layer] == null || keys[layer] == null) {
            throw new IllegalStateException("layer " + layer + " was not captured");
        }
        return HeadPatterns.recompute(spec, layer, head, length, queries[layer], keys[layer]);
    }
}
