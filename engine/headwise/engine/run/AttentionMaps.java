package headwise.engine.run;

/** Softmax attention [layers, heads, T, T] (rows = queries), row-major in one array. */
public record AttentionMaps(int layers, int heads, int length, float[] values) {

    public AttentionMaps {
        if ((long) layers * heads * length * length != values.length) {
            throw new IllegalArgumentException("attention values do not match [" + layers + "," + heads + "," + length + "," + length + "]");
        }
    }

    public float get(int layer, int head, int query, int key) {
        return values[index(layer, head) + query * length + key];
    }

    /** A copy of one head's T×T matrix, row-major. */
    public float[] head(int layer, int head) {
        float[] out = new float[length * length];
        System.arraycopy(values, index(layer, head), out, 0, out.length);
        return out;
    }

    public int[] shape() {
        return new int[] {layers, heads, length, length};
    }

    private int index(int layer, int head) {
        return (layer * heads + head) * length * length;
    }
}
