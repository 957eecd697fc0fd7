package headwise.engine.io.gguf;

import headwise.engine.io.DType;

import java.nio.ByteBuffer;

/**
 * ggml's K-quants: 256-element super-blocks (ggml-common.h, ggml-quants.c). Q4_K and Q5_K hold eight 32-element
 * sub-blocks, each with a 6-bit scale and a 6-bit min packed into 12 bytes ({@link #scale}, {@link #min}) and applied as
 * x = d·scale·q − dmin·min; Q6_K holds sixteen 16-element sub-blocks with signed 8-bit scales, x = d·scale·(q − 32).
 * Arithmetic is float, in ggml's order, without fused multiply-add.
 */
final class KQuants {

    static final int QK_K = 256;
    private static final int SCALE_BYTES = 12;

    private KQuants() {
    }

    /** d, dmin, 12 bytes of scales and mins, 128 bytes of nibbles (64-element groups: low nibbles, then high). */
    static void q4_k(ByteBuffer in, float[] out, int outStart, int blocks) {
        scaledNibbles(in, out, outStart, blocks, false);
    }

    /** d, dmin, 12 bytes of scales and mins, 32 bytes of fifth bits (two bits per 64-element group), 128 of nibbles. */
    static void q5_k(ByteBuffer in, float[] out, int outStart, int blocks) {
        scaledNibbles(in, out, outStart, blocks, true);
    }

    /** Q4_K, and Q5_K when {@code fifthBits}: the same groups, Q5_K adds 16 where an element's fifth bit is set. */
    private static void scaledNibbles(ByteBuffer in, float[] out, int outStart, int blocks, boolean fifthBits) {
        byte[] scales = new byte[SCALE_BYTES];
        byte[] qh = new byte[QK_K / 8];
        byte[] qs = new byte[QK_K / 2];
        for (int b = 0; b < blocks; b++) {
            float d = DType.halfToFloat(in.getShort());
            float dmin = DType.halfToFloat(in.getShort());
            in.get(scales);
            if (fifthBits) {
                in.get(qh);
            }
            in.get(qs);
            int y = outStart + b * QK_K;
            for (int group = 0; group < 4; group++) {
                float d1 = d * scale(scales, 2 * group);
                float m1 = dmin * min(scales, 2 * group);
                float d2 = d * scale(scales, 2 * group + 1);
                float m2 = dmin * min(scales, 2 * group + 1);
                int lowBit = 1 << (2 * group);
                int highBit = lowBit << 1;
                for (int l = 0; l < 32; l++) {
                    int q = qs[32 * group + l] & 0xff;
                    int h = fifthBits ? qh[l] : 0;
                    out[y + l] = d1 * ((q & 0x0f) + ((h & lowBit) != 0 ? 16 : 0)) - m1;
                    out[y + 32 + l] = d2 * ((q >>> 4) + ((h & highBit) != 0 ? 16 : 0)) - m2;
                }
                y += 64;
            }
        }
    }

    /**
     * 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 signed scales, d. Each 128-element half takes 64 bytes
     * of ql and 32 of qh: element l + 32k (k = 0..3) has its low nibble in ql[l] (k even) or ql[l + 32] (k odd), low for
     * k &lt; 2 and high otherwise, and its top two bits at bits 2k of qh[l].
     */
    static void q6_k(ByteBuffer in, float[] out, int outStart, int blocks) {
        byte[] ql = new byte[QK_K / 2];
        byte[] qh = new byte[QK_K / 4];
        byte[] sc = new byte[QK_K / 16];
        for (int b = 0; b < blocks; b++) {
            in.get(ql);
            in.get(qh);
            in.get(sc);
            float d = DType.halfToFloat(in.getShort());
            int y = outStart + b * QK_K;
            for (int half = 0; half < 2; half++) {
                int l0 = 64 * half;
                int h0 = 32 * half;
                int s0 = 8 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int low = ql[l0 + l] & 0xff;
                    int lowNext = ql[l0 + l + 32] & 0xff;
                    int high = qh[h0 + l] & 0xff;
                    int q1 = ((low & 0x0f) | (high & 3) << 4) - 32;
                    int q2 = ((lowNext & 0x0f) | ((high >>> 2) & 3) << 4) - 32;
                    int q3 = ((low >>> 4) | ((high >>> 4) & 3) << 4) - 32;
                    int q4 = ((lowNext >>> 4) | ((high >>> 6) & 3) << 4) - 32;
                    out[y + l] = d * sc[s0 + is] * q1;
                    out[y + l + 32] = d * sc[s0 + is + 2] * q2;
                    out[y + l + 64] = d * sc[s0 + is + 4] * q3;
                    out[y + l + 96] = d * sc[s0 + is + 6] * q4;
                }
                y += 128;
            }
        }
    }

    /**
     * The 6-bit scale of sub-block j (0..7): sub-blocks 0–3 keep theirs in the low 6 bits of bytes 0–3; 4–7 in the low
     * nibble of bytes 8–11, with the top two bits in the spare top bits of bytes 0–3 (ggml's get_scale_min_k4).
     */
    static int scale(byte[] packed, int j) {
        return j < 4 ? packed[j] & 63 : (packed[j + 4] & 0x0f) | ((packed[j - 4] & 0xff) >>> 6) << 4;
    }

    /** The 6-bit min of sub-block j: like {@link #scale}, in bytes 4–7 and the high nibbles of bytes 8–11. */
    static int min(byte[] packed, int j) {
        return j < 4 ? packed[j + 4] & 63 : ((packed[j + 4] & 0xff) >>> 4) | ((packed[j] & 0xff) >>> 6) << 4;
    }
}
