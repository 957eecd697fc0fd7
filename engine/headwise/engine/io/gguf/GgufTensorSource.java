package headwise.engine.io.gguf;

import headwise.engine.HeadwiseException;
import headwise.engine.io.TensorSource;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A GGUF file's tensors under their Hugging Face names and shapes ({@link GgufTensorNames}), decoded to F32 one tensor
 * at a time when a mapper asks. A tensor the name map does not know is refused when the file is opened, so nothing in
 * the file is silently ignored.
 */
public final class GgufTensorSource implements TensorSource {

    private record Entry(GgufTensorInfo info, GgufTensorNames.Transform transform) {
    }

    private final GgufFile gguf;
    private final Map<String, Entry> entries;

    private GgufTensorSource(GgufFile gguf, Map<String, Entry> entries) {
        this.gguf = gguf;
        this.entries = entries;
    }

    /** The tensors of {@code gguf} (of architecture {@code arch}) by Hugging Face name; takes over closing the file. */
    public static GgufTensorSource of(GgufFile gguf, String arch) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (GgufTensorInfo info : gguf.tensors().values()) {
            if (arch.equals("llama") && info.name().equals(GgufTensorNames.ROPE_FREQS)) {
                continue; // part of the RoPE settings, which GgufLoader builds
            }
            GgufTensorNames.Mapped mapped = GgufTensorNames.map(arch, info.name());
            if (mapped == null) {
                throw HeadwiseException.inFile(gguf.file(), unknown(arch, info.name()));
            }
            if (mapped.transform() == GgufTensorNames.Transform.TRANSPOSE && info.dims().length != 2) {
                throw HeadwiseException.inFile(gguf.file(), "tensor " + HeadwiseException.quote(info.name()) + " should be a matrix");
            }
            entries.put(mapped.name(), new Entry(info, mapped.transform()));
        }
        return new GgufTensorSource(gguf, Collections.unmodifiableMap(entries));
    }

    private static String unknown(String arch, String name) {
        if (name.startsWith("rope_freqs") || name.startsWith("rope_factors")) {
            return "tensor " + HeadwiseException.quote(name) + " holds per-frequency RoPE factors, which are supported for "
                    + "'llama' files only (Llama-3.1's rope_freqs), not for Phi-3's long-context RoPE or in '" + arch + "'";
        }
        return "tensor " + HeadwiseException.quote(name) + " is not part of a GGUF '" + arch + "' model that Headwise understands";
    }

    public GgufFile file() {
        return gguf;
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public long[] shape(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            return null;
        }
        // a transposed matrix keeps ggml's order, which is the transpose of the row-major view
        return e.transform() == GgufTensorNames.Transform.TRANSPOSE ? e.info().dims().clone() : e.info().rowMajorShape();
    }

    /** The stored type of the tensor Hugging Face calls {@code name}, or null. */
    public GgmlType type(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.info().type();
    }

    @Override
    public float[] floats(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw HeadwiseException.inFile(gguf.file(), "no tensor named " + HeadwiseException.quote(name));
        }
        float[] values = gguf.floats(e.info());
        switch (e.transform()) {
            case TRANSPOSE -> {
                long[] rowMajor = e.info().rowMajorShape();
                return transpose(values, (int) rowMajor[0], (int) rowMajor[1]);
            }
            default -> {
                return values;
            }
        }
    }

    private static float[] transpose(float[] values, int rows, int columns) {
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                out[c * rows + r] = values[r * columns + c];
            }
        }
        return out;
    }

    @Override
    public Path fileOf(String name) {
        return gguf.file();
    }

    @Override
    public Path location() {
        return gguf.file();
    }

    @Override
    public void close() {
        gguf.close();
    }
}
