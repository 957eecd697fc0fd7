package headwise.engine.io.gguf;

import headwise.engine.HeadwiseException;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * A GGUF file's key-value metadata. Integer scalars are Longs, f32 Floats, f64 Doubles, then Boolean, String and
 * {@link GgufArray}. The typed getters fail with one line naming the file and key when a value is missing or of the
 * wrong kind.
 */
public final class GgufMetadata {

    private final Path file;
    private final Map<String, Object> values;

    GgufMetadata(Path file, Map<String, Object> values) {
        this.file = file;
        this.values = Collections.unmodifiableMap(values);
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The raw value (Long, Float, Double, Boolean, String or GgufArray), or null. */
    public Object get(String key) {
        return values.get(key);
    }

    public String string(String key) {
        Object v = required(key);
        if (!(v instanceof String s)) {
            throw wrongKind(key, "a string");
        }
        return s;
    }

    public String optionalString(String key, String fallback) {
        return has(key) ? string(key) : fallback;
    }

    /** An integer that fits an int and is ≥ 0. */
    public int nonNegativeInt(String key) {
        Object v = required(key);
        if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
            throw wrongKind(key, "a non-negative 32-bit integer");
        }
        return (int) (long) l;
    }

    public Integer optionalInt(String key) {
        return has(key) ? nonNegativeInt(key) : null;
    }

    /** A number (integer or float); an f32 as the shortest decimal that reads back as it (1e-5f is 1e-5, as config.json says). */
    public Double optionalNumber(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Long l) {
            return (double) l;
        }
        if (v instanceof Float f) {
            return Double.parseDouble(Float.toString(f));
        }
        if (!(v instanceof Double d)) {
            throw wrongKind(key, "a number");
        }
        return d;
    }

    public boolean optionalBoolean(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw wrongKind(key, "a bool");
        }
        return b;
    }

    /** An array, or null when absent. */
    public GgufArray optionalArray(String key) {
        Object v = values.get(key);
        if (v != null && !(v instanceof GgufArray)) {
            throw wrongKind(key, "an array");
        }
        return (GgufArray) v;
    }

    private Object required(String key) {
        Object v = values.get(key);
        if (v == null) {
            throw HeadwiseException.inFile(file, "GGUF metadata has no " + HeadwiseException.quote(key));
        }
        return v;
    }

    private HeadwiseException wrongKind(String key, String expected) {
        return HeadwiseException.inFile(file, "GGUF metadata " + HeadwiseException.quote(key) + " should be " + expected);
    }
}
