package headwise.engine.io.gguf;

import java.nio.ByteBuffer;

/**
 * ggml's reference quantisers (quantize_row_q8_0_ref, quantize_row_q4_0_ref) for building test files, and F16 rows.
 * Each returns the blocks' bytes for a row-major tensor whose element count is a multiple of 32.
 */
final class GgmlQuantizer {

    private GgmlQuantizer() {
    }

    static byte[] q8_0(float[] x) {
        ByteBuffer out = GgufWriter.le(x.length / 32 * 34);
        for (int b = 0; b < x.length; b += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b + j]));
            }
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            out.putShort(Half.fromFloat(d));
            for (int j = 0; j < 32; j++) {
                out.put((byte) roundAwayFromZero(x[b + j] * id));
            }
        }
        return out.array();
    }

    /** C's roundf. */
    private static long roundAwayFromZero(float v) {
        return (long) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    static byte[] q4_0(float[] x) {
        ByteBuffer out = GgufWriter.le(x.length / 32 * 18);
        for (int b = 0; b < x.length; b += 32) {
            float amax = 0;
            float max = 0;
            for (int j = 0; j < 32; j++) {
                if (amax < Math.abs(x[b + j])) {
                    amax = Math.abs(x[b + j]);
                    max = x[b + j];
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            out.putShort(Half.fromFloat(d));
            for (int j = 0; j < 16; j++) {
                int low = Math.min(15, (byte) (x[b + j] * id + 8.5f));
                int high = Math.min(15, (byte) (x[b + 16 + j] * id + 8.5f));
                out.put((byte) (low | high << 4));
            }
        }
        return out.array();
    }

    static byte[] f16(float[] x) {
        ByteBuffer out = GgufWriter.le(2 * x.length);
        for (float v : x) {
            out.putShort(Half.fromFloat(v));
        }
        return out.array();
    }

    static byte[] f32(float[] x) {
        ByteBuffer out = GgufWriter.le(4 * x.length);
        for (float v : x) {
            out.putFloat(v);
        }
        return out.array();
    }
}
