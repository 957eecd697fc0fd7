package headwise.engine.io.gguf;

import java.lang.reflect.Array;

/**
 * A metadata array: its element type and its values, kept compact (integers of up to 32 bits as int[], 64-bit ones as
 * long[], f32 as float[], f64 as double[], bool as boolean[], strings as String[], nested arrays as GgufArray[]).
 */
public record GgufArray(GgufValueType elementType, Object values) {

    public int size() {
        return Array.getLength(values);
    }

    /** Element {@code i} as a long (unsigned 32-bit types read unsigned); for integer arrays only. */
    public long getLong(int i) {
        if (values instanceof int[] ints) {
            return elementType == GgufValueType.UINT32 ? ints[i] & 0xffffffffL : ints[i];
        }
        if (values instanceof long[] longs) {
            return longs[i];
        }
        throw new IllegalStateException("not an integer array: " + elementType);
    }

    public float getFloat(int i) {
        if (values instanceof float[] floats) {
            return floats[i];
        }
        if (values instanceof double[] doubles) {
            return (float) doubles[i];
        }
        return getLong(i);
    }

    public boolean isStrings() {
        return values instanceof String[];
    }

    public String[] strings() {
        return (String[]) values;
    }

    public boolean isNumeric() {
        return elementType.numeric;
    }
}
