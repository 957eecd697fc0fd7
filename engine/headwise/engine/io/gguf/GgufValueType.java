package headwise.engine.io.gguf;

/** GGUF's metadata value types, numbered as in the file, with the fewest bytes a value of each takes there. */
public enum GgufValueType {
    UINT8(1, true), INT8(1, true), UINT16(2, true), INT16(2, true), UINT32(4, true), INT32(4, true), FLOAT32(4, true),
    BOOL(1, false), STRING(8, false), ARRAY(12, false), UINT64(8, true), INT64(8, true), FLOAT64(8, true);

    /** Bytes in the file: exact for numbers and bools; the length prefix alone for strings and arrays. */
    final int minBytes;
    final boolean numeric;

    GgufValueType(int minBytes, boolean numeric) {
        this.minBytes = minBytes;
        this.numeric = numeric;
    }

    /** The type numbered {@code id}, or null. */
    static GgufValueType byId(long id) {
        return id >= 0 && id < values().length ? values()[(int) id] : null;
    }
}
