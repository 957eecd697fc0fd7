package headwise.engine.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keys and values (after RoPE) of the positions a causal model has already seen, per layer, so that decoding
 * one more token costs one row of attention instead of a whole forward. Shapes [batch, pos, kv_head, d_head].
 */
public final class KvCache {

    private final INDArray[] keys;
    private final INDArray[] values;
    private int length;

    public KvCache(int layers) {
        keys = new INDArray[layers];
        values = new INDArray[layers];
    }

    /**
     * A cache already holding {@code length} positions: per layer keys and values [batch, length, kv_head, d_head]
     * (after RoPE), null for layers that will not run. The arrays are used as they are, not copied.
     */
    public static KvCache of(INDArray[] keys, INDArray[] values, int length) {
        if (keys.length != values.length) {
            throw new IllegalArgumentException(keys.length + " layers of keys but " + values.length + " of values");
        }
        KvCache cache = new KvCache(keys.length);
        System.arraycopy(keys, 0, cache.keys, 0, keys.length);
        System.arraycopy(values, 0, cache.values, 0, values.length);
        cache.length = length;
        return cache;
    }

    /** Positions already cached (the position of the next token). */
    public int length() {
        return length;
    }

    /** Appends this step's k/v of {@code layer} and returns all keys and values so far. */
    INDArray[] append(int layer, INDArray k, INDArray v) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) { // outlives the block arena
            keys[layer] = keys[layer] == null ? k.detach() : Nd4j.concat(1, keys[layer], k);
            values[layer] = values[layer] == null ? v.detach() : Nd4j.concat(1, values[layer], v);
        }
        return new INDArray[] {keys[layer], values[layer]};
    }

    /** Called once per step, after every layer has appended. */
    void advance(int steps) {
        length += steps;
    }
}
