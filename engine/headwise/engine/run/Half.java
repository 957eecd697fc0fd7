package headwise.engine.run;

/**
 * IEEE 754 half precision (binary16) conversions, round to nearest even. Java 17 has no Float.floatToFloat16;
 * attention probabilities stored as halves keep ~3 significant digits (relative error ≤ 2^-11) at half the memory.
 */
public final class Half {

    private static final float[] DECODED = new float[1 << 16];

    static {
        for (int h = 0; h < DECODED.length; h++) {
            DECODED[h] = decode(h);
        }
    }

    private Half() {
    }

    public static float toFloat(short half) {
        return DECODED[half & 0xffff];
    }

    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {                       // infinity or NaN (NaN stays a quiet NaN)
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
        }
        if (abs >= 0x477ff000) {                       // rounds to ≥ 65520: beyond the largest half
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {                        // below 2^-14: a subnormal half, or zero
            if (abs < 0x33000000) {                    // below 2^-25 (2^-25 itself ties to even zero)
                return (short) sign;
            }
            int exponent = abs >>> 23;
            int mantissa = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - exponent;                // value = mantissa·2^(exponent−150) = n·2^-24
            int half = mantissa >>> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (abs - 0x38000000) >>> 13;          // re-bias the exponent from 127 to 15
        int rest = abs & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++;                                    // may carry into the exponent, as rounding should
        }
        return (short) (sign | half);
    }

    private static float decode(int half) {
        int sign = (half & 0x8000) << 16;
        int exponent = (half >>> 10) & 0x1f;
        int mantissa = half & 0x3ff;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
