package headwise.engine.family;

import headwise.engine.io.TensorSource;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One part of a LLaVA checkpoint (decoder, vision tower or projector) seen under the names its own family's mapper
 * expects: a name starting with one of {@code prefixes}' keys is read from the stored name with that key replaced by
 * its value (the first key that matches wins; "" matches every name). The underlying source stays open and owned by
 * the caller.
 */
final class LlavaTensors implements TensorSource {

    private final TensorSource source;
    private final Map<String, String> prefixes;

    LlavaTensors(TensorSource source, Map<String, String> prefixes) {
        this.source = source;
        this.prefixes = prefixes;
    }

    /** The stored name of {@code name}, or null when no prefix covers it. */
    private String stored(String name) {
        for (Map.Entry<String, String> p : prefixes.entrySet()) {
            if (name.startsWith(p.getKey())) {
                return p.getValue() + name.substring(p.getKey().length());
            }
        }
        return null;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (String stored : source.names()) {
            for (Map.Entry<String, String> p : prefixes.entrySet()) {
                if (stored.startsWith(p.getValue())) {
                    String name = p.getKey() + stored.substring(p.getValue().length());
                    if (stored.equals(stored(name))) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    @Override
    public long[] shape(String name) {
        String stored = stored(name);
        return stored == null ? null : source.shape(stored);
    }

    @Override
    public float[] floats(String name) {
        return source.floats(stored(name));
    }

    @Override
    public Path fileOf(String name) {
        return source.fileOf(stored(name));
    }

    @Override
    public Path location() {
        return source.location();
    }

    @Override
    public void close() {
        // the whole checkpoint's source is closed by whoever opened it
    }
}
