package headwise.engine.io.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A one-layer random llama (hidden 256, 4 heads, ffn 256, vocab 64) whose token embedding alone is stored in the given
 * ggml type, every other tensor F32: llama.cpp looks embedding rows up by dequantising them exactly (ggml_get_rows) and
 * runs the rest in F32, so its logits check one dequantiser against ggml's own (src/test/node/llama_cpp_logits.mjs).
 * {@code java -cp … headwise.engine.io.gguf.WriteEmbeddingTypeGguf Q4_K /tmp/embed-q4k.gguf}
 */
public final class WriteEmbeddingTypeGguf {

    private WriteEmbeddingTypeGguf() {
    }

    public static void main(String[] args) {
        GgmlType type = GgmlType.valueOf(args[0]);
        int d = 256;
        int vocab = 64;
        Random random = new Random(type.id);
        List<String> tokens = new java.util.ArrayList<>(List.of("<unk>", "<s>", "</s>", "<0x0A>", "\u2581"));
        for (char c = 'a'; c <= 'z'; c++) { // llama.cpp tokenizes probe text when loading; its letters must be there
            tokens.add(String.valueOf(c));
        }
        while (tokens.size() < vocab) {
            tokens.add("t" + tokens.size());
        }
        int[] types = new int[vocab];
        Arrays.fill(types, 1);
        types[0] = 2;
        types[1] = 3;
        types[2] = 3;
        types[3] = 6;
        GgufWriter w = new GgufWriter().string("general.architecture", "llama").u32("llama.block_count", 1)
                .u32("llama.context_length", 64).u32("llama.embedding_length", d).u32("llama.feed_forward_length", d)
                .u32("llama.attention.head_count", 4).u32("llama.attention.head_count_kv", 4)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f).f32("llama.rope.freq_base", 10000f)
                .u32("llama.rope.dimension_count", 64).string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", tokens)
                .floats("tokenizer.ggml.scores", new float[vocab]).ints("tokenizer.ggml.token_type", types)
                .u32("tokenizer.ggml.bos_token_id", 1).u32("tokenizer.ggml.eos_token_id", 2)
                .u32("tokenizer.ggml.unknown_token_id", 0);
        w.tensor("token_embd.weight", type, new long[] {d, vocab}, randomBlocks(random, type, (long) d * vocab));
        String[] matrices = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};
        w.tensor("blk.0.attn_norm.weight", GgmlType.F32, new long[] {d}, GgmlQuantizer.f32(normal(random, d, 1f, 0.1f)));
        w.tensor("blk.0.ffn_norm.weight", GgmlType.F32, new long[] {d}, GgmlQuantizer.f32(normal(random, d, 1f, 0.1f)));
        for (String m : matrices) {
            w.tensor("blk.0." + m + ".weight", GgmlType.F32, new long[] {d, d}, GgmlQuantizer.f32(normal(random, d * d, 0f, 0.06f)));
        }
        w.tensor("output_norm.weight", GgmlType.F32, new long[] {d}, GgmlQuantizer.f32(normal(random, d, 1f, 0.1f)));
        w.tensor("output.weight", GgmlType.F32, new long[] {d, vocab}, GgmlQuantizer.f32(normal(random, d * vocab, 0f, 0.06f)));
        System.out.println(w.write(Path.of(args[1])));
    }

    private static float[] normal(Random random, int n, float mean, float std) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = mean + std * (float) random.nextGaussian();
        }
        return values;
    }

    /** Random quants with f16 scales (and mins) between 0.001 and 0.05; plain types from normal values. */
    static byte[] randomBlocks(Random random, GgmlType type, long elements) {
        if (type.blockSize == 1) {
            float[] values = normal(random, (int) elements, 0f, 1f);
            return switch (type) {
                case F32 -> GgmlQuantizer.f32(values);
                case F16 -> GgmlQuantizer.f16(values);
                default -> {
                    ByteBuffer out = GgufWriter.le(2 * values.length);
                    for (float v : values) {
                        out.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                    }
                    yield out.array();
                }
            };
        }
        byte[] bytes = new byte[(int) (elements / type.blockSize * type.blockBytes)];
        random.nextBytes(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] scaleOffsets = switch (type) {
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q6_K -> new int[] {208};
            default -> new int[] {0};
        };
        for (int block = 0; block < bytes.length; block += type.blockBytes) {
            for (int offset : scaleOffsets) {
                b.putShort(block + offset, Half.fromFloat(0.001f + 0.049f * random.nextFloat()));
            }
        }
        return bytes;
    }
}
