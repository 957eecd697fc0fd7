package headwise.engine.run;

/**
 * Softmax attention [layers, heads, T, T] (rows = queries), one row-major T×T matrix per head, held as float32
 * or, when the budget asks, as float16 (half the memory; probabilities keep a relative error ≤ 2^-11). Per-head
 * storage keeps inputs of any length addressable (one flat float[] stops at 2^31 values: 22 layers × 32 heads
 * at 2048 tokens is already 2.9·10^9). Each head is cut into chunks of 2^16 values so that no array is "humongous"
 * to the G1 collector: a 2048² head in one short[] (8 MiB) would take three 4 MiB regions and waste a third of them.
 */
public final class AttentionMaps {

    /** How the maps are held: float32, float16, or recomputed per head from the stored queries and keys. */
    public enum Precision {
        F32(4), F16(2), RECOMPUTE(0);

        private final int bytes;

        Precision(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    private final int layers;
    private final int heads;
    private final int length;
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK = 1 << CHUNK_BITS;

    private final float[][][] f32; // [layer·heads + head][chunk][value]
    private final short[][][] f16;
    private final RecomputedHeads recomputed;

    /** From one flat row-major [layers, heads, T, T] array (copied). */
    public AttentionMaps(int layers, int heads, int length, float[] values) {
        this(layers, heads, length, Precision.F32);
        if ((long) layers * heads * length * length != values.length) {
            throw new IllegalArgumentException("attention values do not match [" + layers + "," + heads + "," + length + "," + length + "]");
        }
        int tt = length * length;
        for (int m = 0; m < f32.length; m++) {
            setHead(m / heads, m % heads, values, m * tt);
        }
    }

    private AttentionMaps(int layers, int heads, int length, Precision precision) {
        this(layers, heads, length, precision, 0);
    }

    /** Allocates the heads of layers {@code firstLayer}… (those below are filled in by the caller). */
    private AttentionMaps(int layers, int heads, int length, Precision precision, int firstLayer) {
        if (layers < 0 || heads < 0 || length < 0 || (long) length * length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("attention shape [" + layers + "," + heads + "," + length + "," + length + "] is not storable");
        }
        this.layers = layers;
        this.heads = heads;
        this.length = length;
        int tt = length * length;
        int chunks = (tt + CHUNK - 1) / CHUNK;
        int last = tt - (chunks - 1) * CHUNK;
        this.f32 = precision == Precision.F32 ? new float[layers * heads][chunks][] : null;
        this.f16 = precision == Precision.F16 ? new short[layers * heads][chunks][] : null;
        this.recomputed = null;
        for (int m = firstLayer * heads; m < layers * heads && precision != Precision.RECOMPUTE; m++) {
            for (int c = 0; c < chunks; c++) {
                int size = c == chunks - 1 ? last : CHUNK;
                if (f32 != null) {
                    f32[m][c] = new float[size];
                } else {
                    f16[m][c] = new short[size];
                }
            }
        }
    }

    /** Maps whose heads are recomputed from queries and keys captured into {@code heads}. */
    private AttentionMaps(int layers, int heads, int length, RecomputedHeads recomputed) {
        this.layers = layers;
        this.heads = heads;
        this.length = length;
        this.f32 = null;
        this.f16 = null;
        this.recomputed = recomputed;
    }

    static AttentionMaps recomputed(int layers, int heads, int length, RecomputedHeads source) {
        return new AttentionMaps(layers, heads, length, source);
    }

    /**
     * Maps to fill head by head from layer {@code fromLayer} on, whose layers below are {@code below}'s (shared, not
     * copied: maps are never changed once captured): a rerun that changes only the layers from there.
     */
    static AttentionMaps continuing(AttentionMaps below, int fromLayer, RecomputedHeads recomputedSource) {
        if (below.recomputed != null) {
            below.recomputed.shareLayersBelow(recomputedSource, fromLayer);
            return new AttentionMaps(below.layers, below.heads, below.length, recomputedSource);
        }
        AttentionMaps maps = new AttentionMaps(below.layers, below.heads, below.length, below.precision(), fromLayer);
        for (int m = 0; m < fromLayer * below.heads; m++) {
            if (maps.f32 != null) {
                maps.f32[m] = below.f32[m];
            } else {
                maps.f16[m] = below.f16[m];
            }
        }
        return maps;
    }

    /** Empty maps to fill head by head (see {@link #setHead}); used by the runs that capture attention. */
    static AttentionMaps allocate(int layers, int heads, int length, Precision precision) {
        return new AttentionMaps(layers, heads, length, precision);
    }

    /** Bytes the stored maps take at this precision (F32, F16; recomputed: see RecomputedHeads; Long.MAX_VALUE on overflow). */
    public static long bytes(int layers, int heads, int length, Precision precision) {
        return MemoryBudget.product(layers, heads, length, length, precision.bytes());
    }

    /** Copies one head's T×T matrix from {@code source}, starting at {@code offset}. */
    void setHead(int layer, int head, float[] source, int offset) {
        int m = index(layer, head);
        int start = offset;
        if (f32 != null) {
            for (float[] chunk : f32[m]) {
                System.arraycopy(source, start, chunk, 0, chunk.length);
                start += chunk.length;
            }
        } else {
            for (short[] chunk : f16[m]) {
                for (int k = 0; k < chunk.length; k++) {
                    chunk[k] = Half.fromFloat(source[start + k]);
                }
                start += chunk.length;
            }
        }
    }

    /** Copies one head's T×T matrix from the next values of {@code source} (advancing it), without a heap copy. */
    void setHead(int layer, int head, java.nio.FloatBuffer source) {
        int m = index(layer, head);
        if (f32 != null) {
            for (float[] chunk : f32[m]) {
                source.get(chunk);
            }
        } else {
            float[] block = new float[Math.min(CHUNK, length * length)];
            for (short[] chunk : f16[m]) {
                source.get(block, 0, chunk.length);
                for (int k = 0; k < chunk.length; k++) {
                    chunk[k] = Half.fromFloat(block[k]);
                }
            }
        }
    }

    public int layers() {
        return layers;
    }

    public int heads() {
        return heads;
    }

    public int length() {
        return length;
    }

    public Precision precision() {
        return recomputed != null ? Precision.RECOMPUTE : f32 != null ? Precision.F32 : Precision.F16;
    }

    public float get(int layer, int head, int query, int key) {
        int m = index(layer, head);
        if (recomputed != null) {
            return recomputed.head(layer, head)[query * length + key];
        }
        int k = query * length + key;
        return f32 != null ? f32[m][k >>> CHUNK_BITS][k & (CHUNK - 1)] : Half.toFloat(f16[m][k >>> CHUNK_BITS][k & (CHUNK - 1)]);
    }

    /** Receives one query row of a head; see {@link #readRows}. */
    @FunctionalInterface
    public interface RowReader {
        /**
         * @param values the row is {@code values[offset .. offset + T)}; valid only during this call, never to be
         *               modified (it may be the stored maps themselves)
         */
        void row(int query, float[] values, int offset);
    }

    /**
     * Reads one head row by row, in query order, without copying it whole (a head at 1024 tokens is 4 MiB): a float32
     * row that lies in one chunk is handed over where it is stored, other rows (float16, or split by a chunk edge)
     * pass through one T-float buffer; recomputed maps hand over rows of the recomputed (cached) pattern.
     */
    public void readRows(int layer, int head, RowReader reader) {
        int m = index(layer, head);
        int t = length;
        if (recomputed != null) {
            float[] all = recomputed.head(layer, head);
            for (int q = 0; q < t; q++) {
                reader.row(q, all, q * t);
            }
            return;
        }
        float[] buffer = null;
        for (int q = 0; q < t; q++) {
            int k = q * t;
            int chunk = k >>> CHUNK_BITS;
            int at = k & (CHUNK - 1);
            if (f32 != null && at + t <= f32[m][chunk].length) {
                reader.row(q, f32[m][chunk], at);
                continue;
            }
            if (buffer == null) {
                buffer = new float[t];
            }
            for (int done = 0; done < t; ) {
                int c = (k + done) >>> CHUNK_BITS;
                int from = (k + done) & (CHUNK - 1);
                int n = Math.min(t - done, (f32 != null ? f32[m][c].length : f16[m][c].length) - from);
                if (f32 != null) {
                    System.arraycopy(f32[m][c], from, buffer, done, n);
                } else {
                    short[] halves = f16[m][c];
                    for (int i = 0; i < n; i++) {
                        buffer[done + i] = Half.toFloat(halves[from + i]);
                    }
                }
                done += n;
            }
            reader.row(q, buffer, 0);
        }
    }

    /** A copy of one head's T×T matrix, row-major, as float32. */
    public float[] head(int layer, int head) {
        int m = index(layer, head);
        if (recomputed != null) {
            return recomputed.head(layer, head).clone();
        }
        float[] out = new float[length * length];
        int start = 0;
        if (f32 != null) {
            for (float[] chunk : f32[m]) {
                System.arraycopy(chunk, 0, out, start, chunk.length);
                start += chunk.length;
            }
        } else {
            for (short[] chunk : f16[m]) {
                for (int k = 0; k < chunk.length; k++) {
                    out[start + k] = Half.toFloat(chunk[k]);
                }
                start += chunk.length;
            }
        }
        return out;
    }

    /** All maps as one flat row-major [layers, heads, T, T] copy; only for shapes under 2^31 values. */
    public float[] values() {
        long total = (long) layers * heads * length * length;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("attention of " + total + " values does not fit one array; read it head by head");
        }
        float[] out = new float[(int) total];
        int tt = length * length;
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                System.arraycopy(head(l, h), 0, out, index(l, h) * tt, tt);
            }
        }
        return out;
    }

    public int[] shape() {
        return new int[] {layers, heads, length, length};
    }

    private int index(int layer, int head) {
        if (layer < 0 || layer >= layers || head < 0 || head >= heads) {
            throw new IndexOutOfBoundsException("layer " + layer + ", head " + head + " outside " + layers + " x " + heads);
        }
        return layer * heads + head;
    }
}
