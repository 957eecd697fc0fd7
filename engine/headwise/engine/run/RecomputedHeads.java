package headwise.engine.run;

import headwise.engine.model.ModelSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attention patterns kept as each layer's queries and keys (after RoPE) and recomputed per head when asked:
 * softmax(q·kᵀ/√d + mask). At 8192 tokens a 1B Llama's 704 patterns would take 94 GB even as float16; its q and
 * k take 1.7 GB. The most recently used heads are kept (up to {@link #CACHE_BYTES}) so views that read one head
 * value by value do not recompute it each time.
 */
final class RecomputedHeads {

    static final long CACHE_BYTES = 512L << 20;

    private final int heads;
    private final int kvHeads;
    private final int dHead;
    private final int length;
    private final boolean causal;
    private final int window;
    private final float[][] queries; // [layer] → [T, heads, dHead] row-major
    private final float[][] keys;    // [layer] → [T, kvHeads, dHead]
    private final Map<Integer, float[]> recent;

    RecomputedHeads(ModelSpec spec, int length) {
        this.heads = spec.heads();
        this.kvHeads = spec.kvHeads();
        this.dHead = spec.dHead();
        this.length = length;
        this.causal = spec.causal();
        this.window = spec.slidingWindow();
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
        float[] q = column(queries[layer], heads, head);
        float[] k = column(keys[layer], kvHeads, head / (heads / kvHeads));
        float[] scores;
        try (INDArray qa = Nd4j.create(q, new long[] {length, dHead}, 'c');
             INDArray ka = Nd4j.create(k, new long[] {length, dHead}, 'c');
             INDArray s = Nd4j.createUninitialized(DataType.FLOAT, length, length)) {
            Nd4j.gemm(qa, ka, s, false, true, 1.0 / Math.sqrt(dHead), 0.0);
            scores = s.data().asFloat();
        }
        for (int i = 0; i < length; i++) {
            softmaxRow(scores, i);
        }
        return scores;
    }

    /** Masked softmax of row i in place: keys after i (causal) or a window or more back get 0. */
    private void softmaxRow(float[] s, int i) {
        int row = i * length;
        int first = causal && window > 0 ? Math.max(0, i - window + 1) : 0;
        int last = causal ? i : length - 1;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = first; j <= last; j++) {
            max = Math.max(max, s[row + j]);
        }
        double sum = 0;
        for (int j = first; j <= last; j++) {
            float e = (float) Math.exp(s[row + j] - max);
            s[row + j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < length; j++) {
            s[row + j] = j < first || j > last ? 0f : s[row + j] * inv;
        }
    }

    /** One head's [T, dHead] slice of a [T, n, dHead] array. */
    private float[] column(float[] all, int n, int index) {
        float[] out = new float[length * dHead];
        for (int t = 0; t < length; t++) {
            System.arraycopy(all, (t * n + index) * dHead, out, t * dHead, dHead);
        }
        return out;
    }
}
