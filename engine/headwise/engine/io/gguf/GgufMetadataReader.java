package headwise.engine.io.gguf;

import headwise.engine.HeadwiseException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads GGUF metadata: a key, a u32 value type, the value; arrays are an element type, a u64 count and the elements.
 * A count is checked against the bytes left before anything is allocated for it.
 */
final class GgufMetadataReader {

    /** Arrays of arrays nest at most this deep (the format allows any depth; real files use none). */
    static final int MAX_NESTING = 4;

    private GgufMetadataReader() {
    }

    /** Reads {@code count} key-value pairs at the cursor. */
    static GgufMetadata read(Path file, GgufCursor in, long count) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            String key = in.string("metadata key " + i);
            long typeId = in.u32("type of metadata " + HeadwiseException.quote(key));
            Object value = value(in, key, typeId, 0);
            if (values.put(key, value) != null) {
                throw in.error("metadata key " + HeadwiseException.quote(key) + " appears twice");
            }
        }
        return new GgufMetadata(file, values);
    }

    private static Object value(GgufCursor in, String key, long typeId, int depth) {
        GgufValueType type = type(in, key, typeId);
        String what = "metadata " + HeadwiseException.quote(key);
        return switch (type) {
            case UINT8 -> (long) in.u8(what);
            case INT8 -> (long) (byte) in.u8(what);
            case UINT16 -> (long) (in.i16(what) & 0xffff);
            case INT16 -> (long) in.i16(what);
            case UINT32 -> in.u32(what);
            case INT32 -> (long) in.i32(what);
            case UINT64, INT64 -> in.i64(what);
            case FLOAT32 -> in.f32(what);
            case FLOAT64 -> in.f64(what);
            case BOOL -> in.u8(what) != 0;
            case STRING -> in.string(what);
            case ARRAY -> array(in, key, depth);
        };
    }

    private static GgufValueType type(GgufCursor in, String key, long typeId) {
        GgufValueType type = GgufValueType.byId(typeId);
        if (type == null) {
            throw in.error("metadata " + HeadwiseException.quote(key) + " has unknown value type " + typeId);
        }
        return type;
    }

    private static GgufArray array(GgufCursor in, String key, int depth) {
        String what = "array " + HeadwiseException.quote(key);
        if (depth >= MAX_NESTING) {
            throw in.error(what + " nests arrays more than " + MAX_NESTING + " deep");
        }
        GgufValueType type = type(in, key, in.u32("element type of " + what));
        long count = in.u64("length of " + what);
        if (count > in.remaining() / type.minBytes) {
            throw in.error(what + " of " + count + " " + type + " elements is longer than the rest of the file");
        }
        int n = (int) count; // < file size / 1 byte, and a file this parser maps is < 2^63; arrays beyond 2^31 fail here
        if (count > Integer.MAX_VALUE - 8) {
            throw in.error(what + " of " + count + " elements is too long");
        }
        String element = "element of " + what;
        switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32 -> {
                int[] ints = new int[n];
                for (int i = 0; i < n; i++) {
                    ints[i] = switch (type) {
                        case UINT8 -> in.u8(element);
                        case INT8 -> (byte) in.u8(element);
                        case UINT16 -> in.i16(element) & 0xffff;
                        case INT16 -> in.i16(element);
                        default -> in.i32(element); // UINT32 keeps its bits; GgufArray reads it unsigned
                    };
                }
                return new GgufArray(type, ints);
            }
            case UINT64, INT64 -> {
                long[] longs = new long[n];
                for (int i = 0; i < n; i++) {
                    longs[i] = in.i64(element);
                }
                return new GgufArray(type, longs);
            }
            case FLOAT32 -> {
                float[] floats = new float[n];
                for (int i = 0; i < n; i++) {
                    floats[i] = in.f32(element);
                }
                return new GgufArray(type, floats);
            }
            case FLOAT64 -> {
                double[] doubles = new double[n];
                for (int i = 0; i < n; i++) {
                    doubles[i] = in.f64(element);
                }
                return new GgufArray(type, doubles);
            }
            case BOOL -> {
                boolean[] bools = new boolean[n];
                for (int i = 0; i < n; i++) {
                    bools[i] = in.u8(element) != 0;
                }
                return new GgufArray(type, bools);
            }
            case STRING -> {
                String[] strings = new String[n];
                for (int i = 0; i < n; i++) {
                    strings[i] = in.string(element);
                }
                return new GgufArray(type, strings);
            }
            default -> {
                GgufArray[] arrays = new GgufArray[n];
                for (int i = 0; i < n; i++) {
                    arrays[i] = array(in, key, depth + 1);
                }
                return new GgufArray(type, arrays);
            }
        }
    }
}
