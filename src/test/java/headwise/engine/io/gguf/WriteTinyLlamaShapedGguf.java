package headwise.engine.io.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a TinyLlama-1.1B-shaped GGUF (22 layers, hidden 2048, 32 heads, 4 KV heads, ffn 5632, vocab 32000) with random
 * Q4_K weights and F32 norms, for load-time and memory measurements (docs/gguf.md); not a test, never committed output.
 * {@code java -cp … headwise.engine.io.gguf.WriteTinyLlamaShapedGguf /tmp/tinyllama-q4k.gguf}
 */
public final class WriteTinyLlamaShapedGguf {

    private WriteTinyLlamaShapedGguf() {
    }

    public static void main(String[] args) {
        int d = 2048;
        int ffn = 5632;
        int vocab = 32000;
        int layers = 22;
        int kvWidth = 4 * 64;
        Random random = new Random(1);
        GgufWriter w = new GgufWriter().string("general.architecture", "llama").u32("llama.block_count", layers)
                .u32("llama.context_length", 2048).u32("llama.embedding_length", d).u32("llama.feed_forward_length", ffn)
                .u32("llama.attention.head_count", 32).u32("llama.attention.head_count_kv", 4)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f).f32("llama.rope.freq_base", 10000f)
                .u32("llama.rope.dimension_count", 64);
        w.tensor("token_embd.weight", GgmlType.Q4_K, new long[] {d, vocab}, () -> q4k(random, (long) d * vocab));
        for (int i = 0; i < layers; i++) {
            String b = "blk." + i + ".";
            w.tensor(b + "attn_norm.weight", GgmlType.F32, new long[] {d}, ones(d));
            w.tensor(b + "attn_q.weight", GgmlType.Q4_K, new long[] {d, d}, () -> q4k(random, (long) d * d));
            w.tensor(b + "attn_k.weight", GgmlType.Q4_K, new long[] {d, kvWidth}, () -> q4k(random, (long) d * kvWidth));
            w.tensor(b + "attn_v.weight", GgmlType.Q4_K, new long[] {d, kvWidth}, () -> q4k(random, (long) d * kvWidth));
            w.tensor(b + "attn_output.weight", GgmlType.Q4_K, new long[] {d, d}, () -> q4k(random, (long) d * d));
            w.tensor(b + "ffn_norm.weight", GgmlType.F32, new long[] {d}, ones(d));
            w.tensor(b + "ffn_gate.weight", GgmlType.Q4_K, new long[] {d, ffn}, () -> q4k(random, (long) d * ffn));
            w.tensor(b + "ffn_up.weight", GgmlType.Q4_K, new long[] {d, ffn}, () -> q4k(random, (long) d * ffn));
            w.tensor(b + "ffn_down.weight", GgmlType.Q4_K, new long[] {ffn, d}, () -> q4k(random, (long) ffn * d));
        }
        w.tensor("output_norm.weight", GgmlType.F32, new long[] {d}, ones(d));
        w.tensor("output.weight", GgmlType.Q4_K, new long[] {d, vocab}, () -> q4k(random, (long) d * vocab));
        System.out.println(w.write(Path.of(args[0])));
    }

    /** Random Q4_K blocks: scales and quants random, d and dmin 1e-4 (weights within about ±0.1). */
    private static byte[] q4k(Random random, long elements) {
        byte[] bytes = new byte[(int) (elements / 256 * 144)];
        random.nextBytes(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        short scale = Half.fromFloat(1e-4f);
        for (int block = 0; block < bytes.length; block += 144) {
            b.putShort(block, scale).putShort(block + 2, scale);
        }
        return bytes;
    }

    private static byte[] ones(int n) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, 1f);
        return GgmlQuantizer.f32(values);
    }
}
