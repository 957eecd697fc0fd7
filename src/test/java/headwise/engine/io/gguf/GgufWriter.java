package headwise.engine.io.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Writes GGUF files for tests, as llama.cpp's gguf writer lays them out: header, metadata, tensor infos, padding to
 * the alignment, then each tensor's data padded to the alignment. Tensor data is produced when written (a supplier),
 * so large files stream.
 */
public final class GgufWriter {

    private record Tensor(String name, long[] dims, int typeId, long bytes, Supplier<byte[]> data) {
    }

    private final int version;
    private final ByteArrayOutputStream metadata = new ByteArrayOutputStream();
    private int metadataCount;
    private final List<Tensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    public GgufWriter() {
        this(3);
    }

    public GgufWriter(int version) {
        this.version = version;
    }

    public GgufWriter string(String key, String value) {
        key(key, GgufValueType.STRING);
        putString(metadata, value);
        return this;
    }

    public GgufWriter u32(String key, long value) {
        key(key, GgufValueType.UINT32);
        metadata.writeBytes(le(4).putInt((int) value).array());
        if (key.equals("general.alignment")) {
            alignment = (int) value;
        }
        return this;
    }

    public GgufWriter i32(String key, int value) {
        key(key, GgufValueType.INT32);
        metadata.writeBytes(le(4).putInt(value).array());
        return this;
    }

    public GgufWriter f32(String key, float value) {
        key(key, GgufValueType.FLOAT32);
        metadata.writeBytes(le(4).putFloat(value).array());
        return this;
    }

    public GgufWriter bool(String key, boolean value) {
        key(key, GgufValueType.BOOL);
        metadata.write(value ? 1 : 0);
        return this;
    }

    public GgufWriter strings(String key, List<String> values) {
        key(key, GgufValueType.ARRAY);
        arrayHeader(GgufValueType.STRING, values.size());
        values.forEach(v -> putString(metadata, v));
        return this;
    }

    public GgufWriter floats(String key, float[] values) {
        key(key, GgufValueType.ARRAY);
        arrayHeader(GgufValueType.FLOAT32, values.length);
        for (float v : values) {
            metadata.writeBytes(le(4).putFloat(v).array());
        }
        return this;
    }

    public GgufWriter ints(String key, int[] values) {
        key(key, GgufValueType.ARRAY);
        arrayHeader(GgufValueType.INT32, values.length);
        for (int v : values) {
            metadata.writeBytes(le(4).putInt(v).array());
        }
        return this;
    }

    /** Any bytes as a value of any type id (for bad-input tests). */
    public GgufWriter raw(String key, int typeId, byte[] value) {
        putString(metadata, key);
        metadata.writeBytes(le(4).putInt(typeId).array());
        metadata.writeBytes(value);
        metadataCount++;
        return this;
    }

    public GgufWriter tensor(String name, GgmlType type, long[] dims, byte[] data) {
        return tensor(name, type, dims, () -> data);
    }

    /** @param dims ggml's ne[], innermost first */
    public GgufWriter tensor(String name, GgmlType type, long[] dims, Supplier<byte[]> data) {
        long elements = 1;
        for (long d : dims) {
            elements *= d;
        }
        tensors.add(new Tensor(name, dims, type.id, elements / type.blockSize * type.blockBytes, data));
        return this;
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeTo(out);
        return out.toByteArray();
    }

    public Path write(Path file) {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private void writeTo(OutputStream out) {
        try {
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.writeBytes(le(4).putInt(GgufFile.MAGIC).array());
            header.writeBytes(le(4).putInt(version).array());
            header.writeBytes(le(8).putLong(tensors.size()).array());
            header.writeBytes(le(8).putLong(metadataCount).array());
            header.writeBytes(metadata.toByteArray());
            long offset = 0;
            for (Tensor t : tensors) {
                putString(header, t.name());
                header.writeBytes(le(4).putInt(t.dims().length).array());
                for (long d : t.dims()) {
                    header.writeBytes(le(8).putLong(d).array());
                }
                header.writeBytes(le(4).putInt(t.typeId()).array());
                header.writeBytes(le(8).putLong(offset).array());
                offset = GgufFile.alignUp(offset + t.bytes(), alignment);
            }
            out.write(header.toByteArray());
            long written = header.size();
            out.write(new byte[(int) (GgufFile.alignUp(written, alignment) - written)]);
            for (Tensor t : tensors) {
                byte[] data = t.data().get(); // as given: bad-input tests write less than the dims say
                out.write(data);
                out.write(new byte[(int) (GgufFile.alignUp(data.length, alignment) - data.length)]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void key(String key, GgufValueType type) {
        putString(metadata, key);
        metadata.writeBytes(le(4).putInt(type.ordinal()).array());
        metadataCount++;
    }

    private void arrayHeader(GgufValueType type, long count) {
        metadata.writeBytes(le(4).putInt(type.ordinal()).array());
        metadata.writeBytes(le(8).putLong(count).array());
    }

    private static void putString(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(le(8).putLong(bytes.length).array());
        out.writeBytes(bytes);
    }

    static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
