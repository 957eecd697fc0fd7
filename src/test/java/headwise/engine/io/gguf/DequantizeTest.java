package headwise.engine.io.gguf;

import headwise.engine.io.DType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Blocks built by hand from known scales and quants, decoded and compared bit for bit with ggml's formulas written
 * out per element here (the packing in these builders follows ggml's quantize_row_*_ref; the expected values come
 * from the known quants, not from unpacking).
 */
class DequantizeTest {

    private static final Random RANDOM = new Random(17);

    private static float[] decode(GgmlType type, byte[] blocks, int elements) {
        float[] out = new float[elements + 3];
        ByteBuffer in = GgufWriter.le(blocks.length + 0).put(blocks).flip();
        type.decoder.decode(in, out, 3, elements / type.blockSize); // an offset start, to check outStart is honoured
        assertEquals(blocks.length, in.position(), type + " consumed every byte");
        float[] values = new float[elements];
        System.arraycopy(out, 3, values, 0, elements);
        return values;
    }

    private static float half(short bits) {
        return DType.halfToFloat(bits);
    }

    @Test
    void q8_0IsSignedBytesTimesTheScale() {
        short d = Half.fromFloat(-0.375f);
        ByteBuffer block = GgufWriter.le(2 * 34);
        byte[][] q = new byte[2][32];
        for (int b = 0; b < 2; b++) {
            block.putShort(b == 0 ? d : Half.fromFloat(0.01f));
            for (int j = 0; j < 32; j++) {
                q[b][j] = (byte) (j * 9 - 128 + b); // -128 .. 151 wrapped: covers the signed range
                block.put(q[b][j]);
            }
        }
        float[] got = decode(GgmlType.Q8_0, block.array(), 64);
        for (int b = 0; b < 2; b++) {
            float scale = half(b == 0 ? d : Half.fromFloat(0.01f));
            for (int j = 0; j < 32; j++) {
                assertEquals(q[b][j] * scale, got[32 * b + j], 0f, "element " + (32 * b + j));
            }
        }
        assertEquals(-128 * -0.375f, got[0], 0f);
    }

    @Test
    void q4_0LowNibblesAreElements0To15() {
        ByteBuffer block = GgufWriter.le(18).putShort(Half.fromFloat(0.5f));
        for (int j = 0; j < 16; j++) {
            block.put((byte) (j | (15 - j) << 4)); // low nibble j, high nibble 15 - j
        }
        float[] got = decode(GgmlType.Q4_0, block.array(), 32);
        for (int e = 0; e < 16; e++) {
            assertEquals((e - 8) * 0.5f, got[e], 0f, "element " + e + " is the low nibble of byte " + e);
            assertEquals((15 - e - 8) * 0.5f, got[16 + e], 0f, "element " + (16 + e) + " is the high nibble of byte " + e);
        }
    }

    @Test
    void q4_1AndQ5_1AddTheirMin() {
        int[] q4 = randomQuants(32, 16);
        short d = Half.fromFloat(0.0625f);
        short m = Half.fromFloat(-1.3f);
        ByteBuffer block = GgufWriter.le(20).putShort(d).putShort(m).put(nibbles(q4));
        float[] got = decode(GgmlType.Q4_1, block.array(), 32);
        for (int e = 0; e < 32; e++) {
            assertEquals(q4[e] * half(d) + half(m), got[e], 0f, "Q4_1 element " + e);
        }
        int[] q5 = randomQuants(32, 32);
        ByteBuffer block5 = GgufWriter.le(24).putShort(d).putShort(m).putInt(fifthBits(q5)).put(nibbles(q5));
        float[] got5 = decode(GgmlType.Q5_1, block5.array(), 32);
        for (int e = 0; e < 32; e++) {
            assertEquals(q5[e] * half(d) + half(m), got5[e], 0f, "Q5_1 element " + e);
        }
    }

    @Test
    void q5_0CentresOn16() {
        int[] q = randomQuants(32, 32);
        q[0] = 0;
        q[31] = 31;
        q[16] = 16;
        short d = Half.fromFloat(-0.7f);
        ByteBuffer block = GgufWriter.le(22).putShort(d).putInt(fifthBits(q)).put(nibbles(q));
        float[] got = decode(GgmlType.Q5_0, block.array(), 32);
        for (int e = 0; e < 32; e++) {
            assertEquals((q[e] - 16) * half(d), got[e], 0f, "element " + e);
        }
    }

    @Test
    void q4_kAppliesSixBitScalesAndMinsPerSubBlock() {
        int[] scales = {63, 1, 17, 40, 0, 33, 62, 5};
        int[] mins = {2, 63, 31, 0, 48, 7, 19, 60};
        int[] q = randomQuants(256, 16);
        short d = Half.fromFloat(0.011f);
        short dmin = Half.fromFloat(-0.0042f); // negative: ggml never writes one, but the formula holds
        ByteBuffer block = GgufWriter.le(144).putShort(d).putShort(dmin).put(packScalesAndMins(scales, mins));
        for (int group = 0; group < 4; group++) {
            for (int l = 0; l < 32; l++) {
                block.put((byte) (q[64 * group + l] | q[64 * group + 32 + l] << 4));
            }
        }
        float[] got = decode(GgmlType.Q4_K, block.array(), 256);
        for (int e = 0; e < 256; e++) {
            int sub = e / 32;
            assertEquals(half(d) * scales[sub] * q[e] - half(dmin) * mins[sub], got[e], 0f, "element " + e);
        }
    }

    @Test
    void q5_kTakesTheFifthBitFromQh() {
        int[] scales = {3, 60, 12, 45, 63, 0, 22, 9};
        int[] mins = {63, 0, 5, 50, 1, 38, 26, 44};
        int[] q = randomQuants(256, 32);
        short d = Half.fromFloat(0.02f);
        short dmin = Half.fromFloat(0.003f);
        byte[] qh = new byte[32];
        byte[] qs = new byte[128];
        for (int e = 0; e < 256; e++) {
            int group = e / 64;
            int l = e % 32;
            boolean high = e % 64 >= 32;
            qs[32 * group + l] |= (byte) ((q[e] & 15) << (high ? 4 : 0));
            if (q[e] >= 16) {
                qh[l] |= (byte) (1 << (2 * group + (high ? 1 : 0)));
            }
        }
        ByteBuffer block = GgufWriter.le(176).putShort(d).putShort(dmin).put(packScalesAndMins(scales, mins)).put(qh).put(qs);
        float[] got = decode(GgmlType.Q5_K, block.array(), 256);
        for (int e = 0; e < 256; e++) {
            int sub = e / 32;
            assertEquals(half(d) * scales[sub] * q[e] - half(dmin) * mins[sub], got[e], 0f, "element " + e);
        }
    }

    @Test
    void q6_kHasSignedScalesAndCentresOn32() {
        byte[] scales = new byte[16];
        for (int i = 0; i < 16; i++) {
            scales[i] = (byte) (i % 2 == 0 ? -128 + 17 * i : 127 - 9 * i);
        }
        int[] q = randomQuants(256, 64);
        q[0] = 0;
        q[255] = 63;
        short d = Half.fromFloat(-0.0031f);
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        for (int e = 0; e < 256; e++) {
            int half = e / 128;
            int k = e % 128 / 32; // which quarter of the half
            int l = e % 32;
            int lowByte = 64 * half + l + (k % 2 == 1 ? 32 : 0);
            ql[lowByte] |= (byte) ((q[e] & 15) << (k >= 2 ? 4 : 0));
            qh[32 * half + l] |= (byte) ((q[e] >> 4) << (2 * k));
        }
        ByteBuffer block = GgufWriter.le(210).put(ql).put(qh).put(scales).putShort(d);
        float[] got = decode(GgmlType.Q6_K, block.array(), 256);
        for (int e = 0; e < 256; e++) {
            assertEquals(half(d) * scales[e / 16] * (q[e] - 32), got[e], 0f, "element " + e);
        }
    }

    @Test
    void plainFloatTypes() {
        float[] values = {0f, -0f, 1.5f, -65504f, 6.1035156e-5f, 5.9604645e-8f, Float.POSITIVE_INFINITY, -3.25f};
        assertArrayEquals(values, decode(GgmlType.F32, GgmlQuantizer.f32(values), values.length));
        assertArrayEquals(values, decode(GgmlType.F16, GgmlQuantizer.f16(values), values.length));
        ByteBuffer bf16 = GgufWriter.le(2 * values.length);
        for (float v : values) {
            bf16.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
        }
        float[] truncated = decode(GgmlType.BF16, bf16.array(), values.length);
        for (int i = 0; i < values.length; i++) {
            assertEquals(Float.intBitsToFloat(Float.floatToRawIntBits(values[i]) & 0xffff0000), truncated[i], 0f);
        }
    }

    /** The 12 bytes of get_scale_min_k4, built the way quantize_row_q4_K_ref stores them. */
    static byte[] packScalesAndMins(int[] scales, int[] mins) {
        byte[] packed = new byte[12];
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                packed[j] = (byte) scales[j];
                packed[j + 4] = (byte) mins[j];
            } else {
                packed[j + 4] = (byte) ((scales[j] & 0xf) | (mins[j] & 0xf) << 4);
                packed[j - 4] |= (byte) ((scales[j] >> 4) << 6);
                packed[j] |= (byte) ((mins[j] >> 4) << 6);
            }
        }
        return packed;
    }

    private static int[] randomQuants(int n, int levels) {
        int[] q = new int[n];
        for (int i = 0; i < n; i++) {
            q[i] = RANDOM.nextInt(levels);
        }
        return q;
    }

    /** 16 bytes: element j's low four bits in byte j's low nibble, element j + 16's in its high nibble. */
    private static byte[] nibbles(int[] q) {
        byte[] out = new byte[16];
        for (int j = 0; j < 16; j++) {
            out[j] = (byte) ((q[j] & 15) | (q[j + 16] & 15) << 4);
        }
        return out;
    }

    /** Bit e set when element e's quant has its fifth bit. */
    private static int fifthBits(int[] q) {
        int bits = 0;
        for (int e = 0; e < 32; e++) {
            bits |= ((q[e] >> 4) & 1) << e;
        }
        return bits;
    }
}
