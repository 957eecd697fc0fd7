package headwise.engine.io.gguf;

import headwise.engine.io.DType;

import java.nio.ByteBuffer;

/** The unquantised types: one element per block. */
final class PlainFloats {

    private PlainFloats() {
    }

    static void f32(ByteBuffer in, float[] out, int outStart, int count) {
        in.asFloatBuffer().get(out, outStart, count);
        in.position(in.position() + 4 * count);
    }

    static void f16(ByteBuffer in, float[] out, int outStart, int count) {
        for (int i = 0; i < count; i++) {
            out[outStart + i] = DType.halfToFloat(in.getShort());
        }
    }

    static void bf16(ByteBuffer in, float[] out, int outStart, int count) {
        for (int i = 0; i < count; i++) {
            out[outStart + i] = Float.intBitsToFloat((in.getShort() & 0xffff) << 16);
        }
    }
}
