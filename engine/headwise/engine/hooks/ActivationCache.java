package headwise.engine.hooks;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Values captured at hook points during one run, keyed by hook name (see {@link HookNames}). */
public final class ActivationCache {

    private final Map<String, INDArray> values = new LinkedHashMap<>();

    void put(String name, INDArray value) {
        values.put(name, value.isAttached() ? value.detach() : value); // outlives the forward's block arena
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The captured value; the caller must not modify it. */
    public INDArray get(String name) {
        INDArray value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("hook '" + name + "' was not captured in this run");
        }
        return value;
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** Off-heap bytes held, for memory accounting. */
    public long bytes() {
        return values.values().stream().mapToLong(v -> v.length() * v.dataType().width()).sum();
    }
}
