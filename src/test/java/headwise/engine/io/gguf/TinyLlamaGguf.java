package headwise.engine.io.gguf;

import com.google.gson.JsonObject;
import headwise.engine.io.SafetensorsFile;
import headwise.engine.json.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -cp … headwise.engine.io.gguf.TinyLlamaGguf FIXTURE OUT.gguf [f32]} writes one (with its small tokenizer).
 *
 * A Llama fixture (Hugging Face layout, F32) written as llama.cpp's converter would: GGUF names and metadata, q/k rows
 * permuted into adjacent-pair RoPE order, and a mix of tensor types (Q8_0, Q4_0, F16, F32 norms).
 */
public final class TinyLlamaGguf {

    /** HF name suffix → GGUF block name and the type it is stored in. */
    private record Part(String gguf, GgmlType type) {
    }

    private static final Map<String, Part> BLOCK = new LinkedHashMap<>();

    static {
        BLOCK.put("input_layernorm", new Part("attn_norm", GgmlType.F32));
        BLOCK.put("self_attn.q_proj", new Part("attn_q", GgmlType.Q4_0));
        BLOCK.put("self_attn.k_proj", new Part("attn_k", GgmlType.Q8_0));
        BLOCK.put("self_attn.v_proj", new Part("attn_v", GgmlType.F16));
        BLOCK.put("self_attn.o_proj", new Part("attn_output", GgmlType.Q4_0));
        BLOCK.put("post_attention_layernorm", new Part("ffn_norm", GgmlType.F32));
        BLOCK.put("mlp.gate_proj", new Part("ffn_gate", GgmlType.Q8_0));
        BLOCK.put("mlp.up_proj", new Part("ffn_up", GgmlType.Q4_0));
        BLOCK.put("mlp.down_proj", new Part("ffn_down", GgmlType.F16));
    }

    private TinyLlamaGguf() {
    }

    public static void main(String[] args) {
        System.out.println(write(Path.of(args[0]), Path.of(args[1]), true, args.length > 2 && args[2].equals("f32")));
    }

    /** Writes {@code fixture} (a folder with config.json and model.safetensors) as a GGUF file at {@code target}. */
    public static Path write(Path fixture, Path target) {
        return write(fixture, target, false);
    }

    /** @param tokenizer also write a small SentencePiece vocabulary of the model's size (words "hello", "world") */
    public static Path write(Path fixture, Path target, boolean tokenizer) {
        return write(fixture, target, tokenizer, false);
    }

    /** @param allF32 every tensor F32 (q/k still permuted), e.g. for comparing with llama.cpp without its quantised matmuls */
    public static Path write(Path fixture, Path target, boolean tokenizer, boolean allF32) {
        return writer(fixture, tokenizer, allF32).write(target);
    }

    /** The writer with everything {@link #write} writes, for a test to add to. */
    static GgufWriter writer(Path fixture, boolean tokenizer, boolean allF32) {
        JsonObject config = Json.readObject(fixture.resolve("config.json"));
        int d = config.get("hidden_size").getAsInt();
        int heads = config.get("num_attention_heads").getAsInt();
        int kvHeads = config.get("num_key_value_heads").getAsInt();
        int layers = config.get("num_hidden_layers").getAsInt();
        GgufWriter w = new GgufWriter()
                .string("general.architecture", "llama")
                .string("general.name", "tiny")
                .u32("llama.block_count", layers)
                .u32("llama.context_length", config.get("max_position_embeddings").getAsInt())
                .u32("llama.embedding_length", d)
                .u32("llama.feed_forward_length", config.get("intermediate_size").getAsInt())
                .u32("llama.attention.head_count", heads)
                .u32("llama.attention.head_count_kv", kvHeads)
                .f32("llama.attention.layer_norm_rms_epsilon", config.get("rms_norm_eps").getAsFloat())
                .f32("llama.rope.freq_base", config.get("rope_theta").getAsFloat())
                .u32("llama.rope.dimension_count", d / heads);
        if (tokenizer) {
            sentencePiece(w, config.get("vocab_size").getAsInt());
        }
        try (SafetensorsFile hf = SafetensorsFile.open(fixture.resolve("model.safetensors"))) {
            GgmlType embedType = allF32 ? GgmlType.F32 : GgmlType.Q8_0;
            w.tensor("token_embd.weight", embedType, dims(hf, "model.embed_tokens.weight"),
                    encode(embedType, hf.floats("model.embed_tokens.weight")));
            for (int i = 0; i < layers; i++) {
                for (Map.Entry<String, Part> e : BLOCK.entrySet()) {
                    String name = "model.layers." + i + "." + e.getKey() + ".weight";
                    float[] values = hf.floats(name);
                    if (e.getKey().equals("self_attn.q_proj")) {
                        values = permuteForAdjacentPairs(values, heads, d);
                    } else if (e.getKey().equals("self_attn.k_proj")) {
                        values = permuteForAdjacentPairs(values, kvHeads, d);
                    }
                    GgmlType type = allF32 ? GgmlType.F32 : e.getValue().type();
                    w.tensor("blk." + i + "." + e.getValue().gguf() + ".weight", type, dims(hf, name), encode(type, values));
                }
            }
            w.tensor("output_norm.weight", GgmlType.F32, dims(hf, "model.norm.weight"), GgmlQuantizer.f32(hf.floats("model.norm.weight")));
            w.tensor("output.weight", embedType, dims(hf, "lm_head.weight"), encode(embedType, hf.floats("lm_head.weight")));
        }
        return w;
    }

    /**
     * &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, &lt;0x0A&gt;, "▁", the letters, then pieces that merge into "▁hello" and "▁world" (later pieces
     * score higher), the rest unused.
     */
    private static void sentencePiece(GgufWriter w, int size) {
        // llama.cpp needs the newline byte token of a SentencePiece vocabulary
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<0x0A>", "\u2581"));
        for (char c = 'a'; c <= 'z'; c++) {
            tokens.add(String.valueOf(c));
        }
        List<String> merged = List.of("he", "ll", "hell", "hello", "\u2581hello", "wo", "rl", "worl", "world", "\u2581world");
        tokens.addAll(merged);
        int[] types = new int[size];
        float[] scores = new float[size];
        for (int id = 0; id < size; id++) {
            if (id >= tokens.size()) {
                tokens.add("<unused" + id + ">");
            }
            types[id] = id == 0 ? 2 : id < 3 ? 3 : id == 3 ? 6 : 1;
            scores[id] = merged.contains(tokens.get(id)) ? -merged.indexOf(tokens.get(id)) : -1000;
        }
        for (int id = 5 + 26 + merged.size(); id < size; id++) {
            types[id] = 5;
        }
        w.string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", tokens).floats("tokenizer.ggml.scores", scores)
                .ints("tokenizer.ggml.token_type", types).u32("tokenizer.ggml.bos_token_id", 1).u32("tokenizer.ggml.eos_token_id", 2)
                .u32("tokenizer.ggml.unknown_token_id", 0).bool("tokenizer.ggml.add_bos_token", true);
    }

    static byte[] encode(GgmlType type, float[] values) {
        return switch (type) {
            case Q8_0 -> GgmlQuantizer.q8_0(values);
            case Q4_0 -> GgmlQuantizer.q4_0(values);
            case F16 -> GgmlQuantizer.f16(values);
            case F32 -> GgmlQuantizer.f32(values);
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    /** ggml's ne[]: the row-major shape reversed. */
    private static long[] dims(SafetensorsFile hf, String name) {
        long[] shape = hf.shape(name);
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[shape.length - 1 - i];
        }
        return dims;
    }

    /**
     * llama.cpp's LlamaModel.permute: within each head, rows [first half; second half] become interleaved pairs
     * (row i of the first half, row i of the second half, …), so that RoPE on adjacent pairs rotates what rotate-half did.
     */
    static float[] permuteForAdjacentPairs(float[] rows, int heads, int columns) {
        int headDim = rows.length / columns / heads;
        float[] out = new float[rows.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < headDim / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    int from = h * headDim + j * (headDim / 2) + i;
                    int to = h * headDim + 2 * i + j;
                    System.arraycopy(rows, from * columns, out, to * columns, columns);
                }
            }
        }
        return out;
    }

    /** The inverse of {@link #permuteForAdjacentPairs}. */
    static float[] unpermute(float[] rows, int heads, int columns) {
        int headDim = rows.length / columns / heads;
        float[] out = new float[rows.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < headDim / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    System.arraycopy(rows, (h * headDim + 2 * i + j) * columns, out, (h * headDim + j * (headDim / 2) + i) * columns, columns);
                }
            }
        }
        return out;
    }
}
