package headwise.engine.run;

/**
 * Softmax attention [layers, heads, T, T] (rows = queries), one row-major T×T matrix per head, held as float32
 * or, when the budget asks, as float16 (half the memory; probabilities keep a relative error ≤ 2^-11). Per-head
 * storage keeps inputs of any length addressable (one flat float[] stops at 2^31 values: 22 layers × 32 heads
 * at 2048 tokens is already 2.9·10^9).
 */
public final class AttentionMaps {

    public enum Precision {
        F32(4), F16(2);

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
    private final float[][] f32;
    private final short[][] f16;

    /** From one flat row-major [layers, heads, T, T] array (copied). */
    public AttentionMaps(int layers, int heads, int length, float[] values) {
        this(layers, heads, length, Precision.F32);
        if ((long) layers * heads * length * length != values.length) {
            throw new IllegalArgumentException("attention values do not match [" + layers + "," + heads + "," + length + "," + length + "]");
        }
        int tt = length * length;
        for (int m = 0; m < f32.length; m++) {
            System.arraycopy(values, m * tt, f32[m], 0, tt);
        }
    }

    private AttentionMaps(int layers, int heads, int length, Precision precision) {
        if (layers < 0 || heads < 0 || length < 0 || (long) length * length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("attention shape [" + layers + "," + heads + "," + length + "," + length + "] is not storable");
        }
        this.layers = layers;
        this.heads = heads;
        this.length = length;
        int tt = length * length;
        this.f32 = precision == Precision.F32 ? new float[layers * heads][tt] : null;
        this.f16 = precision == Precision.F16 ? new short[layers * heads][tt] : null;
    }

    /** Empty maps to fill head by head (see {@link #setHead}); used by the runs that capture attention. */
    static AttentionMaps allocate(int layers, int heads, int length, Precision precision) {
        return new AttentionMaps(layers, heads, length, precision);
    }

    /** Bytes the maps of this shape take at this precision. */
    public static long bytes(int layers, int heads, int length, Precision precision) {
        return (long) layers * heads * length * length * precision.bytes();
    }

    /** Copies one head's T×T matrix from {@code source}, starting at {@code offset}. */
    void setHead(int layer, int head, float[] source, int offset) {
        int m = index(layer, head);
        if (f32 != null) {
            System.arraycopy(source, offset, f32[m], 0, f32[m].length);
        } else {
            short[] target = f16[m];
            for (int k = 0; k < target.length; k++) {
                target[k] = Half.fromFloat(source[offset + k]);
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
        return f32 != null ? Precision.F32 : Precision.F16;
    }

    public float get(int layer, int head, int query, int key) {
        int m = index(layer, head);
        int k = query * length + key;
        return f32 != null ? f32[m][k] : Half.toFloat(f16[m][k]);
    }

    /** A copy of one head's T×T matrix, row-major, as float32. */
    public float[] head(int layer, int head) {
        int m = index(layer, head);
        if (f32 != null) {
            return f32[m].clone();
        }
        short[] stored = f16[m];
        float[] out = new float[stored.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = Half.toFloat(stored[k]);
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
