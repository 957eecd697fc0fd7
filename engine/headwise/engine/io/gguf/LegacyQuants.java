package headwise.engine.io.gguf;

import headwise.engine.io.DType;

import java.nio.ByteBuffer;

/**
 * ggml's 32-element block types (ggml-common.h, ggml-quants.c). Each block starts with an f16 scale d (and for the
 * "_1" types an f16 offset m); 4-bit quants pack element j in the low nibble of byte j and element j + 16 in its
 * high nibble; the 5-bit types keep every element's fifth bit in a little-endian u32 (bit j for element j).
 * Arithmetic is float, in ggml's order, without fused multiply-add.
 */
final class LegacyQuants {

    private static final int QK = 32;
    private static final int HALF = QK / 2;

    private LegacyQuants() {
    }

    /** d, then 32 signed bytes: x = q·d. */
    static void q8_0(ByteBuffer in, float[] out, int outStart, int blocks) {
        for (int b = 0; b < blocks; b++) {
            float d = DType.halfToFloat(in.getShort());
            int y = outStart + b * QK;
            for (int j = 0; j < QK; j++) {
                out[y + j] = in.get() * d;
            }
        }
    }

    /** d, 16 bytes of nibbles: x = (q − 8)·d. */
    static void q4_0(ByteBuffer in, float[] out, int outStart, int blocks) {
        for (int b = 0; b < blocks; b++) {
            float d = DType.halfToFloat(in.getShort());
            int y = outStart + b * QK;
            for (int j = 0; j < HALF; j++) {
                int q = in.get() & 0xff;
                out[y + j] = ((q & 0x0f) - 8) * d;
                out[y + j + HALF] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /** d, m, 16 bytes of nibbles: x = q·d + m. */
    static void q4_1(ByteBuffer in, float[] out, int outStart, int blocks) {
        for (int b = 0; b < blocks; b++) {
            float d = DType.halfToFloat(in.getShort());
            float m = DType.halfToFloat(in.getShort());
            int y = outStart + b * QK;
            for (int j = 0; j < HALF; j++) {
                int q = in.get() & 0xff;
                out[y + j] = (q & 0x0f) * d + m;
                out[y + j + HALF] = (q >>> 4) * d + m;
            }
        }
    }

    /** d, the fifth bits, 16 bytes of nibbles: x = (q − 16)·d. */
    static void q5_0(ByteBuffer in, float[] out, int outStart, int blocks) {
        for (int b = 0; b < blocks; b++) {
            float d = DType.halfToFloat(in.getShort());
            int high = in.getInt();
            int y = outStart + b * QK;
            for (int j = 0; j < HALF; j++) {
                int q = in.get() & 0xff;
                out[y + j] = (fiveBit(q & 0x0f, high, j) - 16) * d;
                out[y + j + HALF] = (fiveBit(q >>> 4, high, j + HALF) - 16) * d;
            }
        }
    }

    /** d, m, the fifth bits, 16 bytes of nibbles: x = q·d + m. */
    static void q5_1(ByteBuffer in, float[] out, int outStart, int blocks) {
        for (int b = 0; b < blocks; b++) {
            float d = DType.halfToFloat(in.getShort());
            float m = DType.halfToFloat(in.getShort());
            int high = in.getInt();
            int y = outStart + b * QK;
            for (int j = 0; j < HALF; j++) {
                int q = in.get() & 0xff;
                out[y + j] = fiveBit(q & 0x0f, high, j) * d + m;
                out[y + j + HALF] = fiveBit(q >>> 4, high, j + HALF) * d + m;
            }
        }
    }

    /** A nibble with bit {@code element} of {@code high} as its fifth bit. */
    private static int fiveBit(int nibble, int high, int element) {
        return nibble | ((high >>> element) & 1) << 4;
    }
}
