package headwise.engine.io.gguf;

import java.nio.ByteBuffer;

/** Decodes whole blocks of one ggml type to floats, as ggml's dequantize_row_* does. */
@FunctionalInterface
interface BlockDecoder {

    /**
     * Reads {@code blocks} blocks from {@code in} (little-endian, at its position; the position advances) and writes
     * their values to {@code out} from {@code outStart}.
     */
    void decode(ByteBuffer in, float[] out, int outStart, int blocks);
}
