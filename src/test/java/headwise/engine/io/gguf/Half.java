package headwise.engine.io.gguf;

/** float → IEEE binary16 bits, rounding to nearest even (as F16C's _cvtss_sh with mode 0, ggml's FP32_TO_FP16). */
final class Half {

    private Half() {
    }

    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            // subnormal: shift the full mantissa (with its implicit 1) into place, rounding to nearest even
            int full = mantissa | 0x800000;
            int shift = 14 - e;
            int half = full >>> shift;
            int rest = full & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (rest > midpoint || rest == midpoint && (half & 1) != 0) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || rest == 0x1000 && (half & 1) != 0) {
            half++; // may carry into the exponent, which is right (up to infinity)
        }
        return (short) (sign | half);
    }
}
