package headwise.engine.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Element types a checkpoint may store; everything is computed in F32. */
public enum DType {
    F32(4), F16(2), BF16(2);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** The safetensors name ("F32", "F16", "BF16"), or null if unsupported. */
    public static DType fromSafetensors(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Decodes {@code count} little-endian elements starting at the buffer's position into floats. */
    public float[] toFloats(ByteBuffer source, int count) {
        ByteBuffer in = source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        switch (this) {
            case F32 -> in.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = halfToFloat(in.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = Float.intBitsToFloat((in.getShort() & 0xffff) << 16);
                }
            }
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat needs Java 20). */
    public static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // subnormal (or zero): mantissa * 2^-24
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
