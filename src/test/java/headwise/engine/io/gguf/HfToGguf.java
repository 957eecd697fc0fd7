package headwise.engine.io.gguf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.io.SafetensorsFile;
import headwise.engine.json.Json;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face-layout F32 fixture written as llama.cpp's convert_hf_to_gguf.py writes it for every architecture but
 * 'llama' (no q/k permutation), written from the converter and gguf-py's tensor_mapping.py, not from Headwise's own
 * name map: llama.cpp's tensor names, the metadata each architecture's converter class writes, GPT-2's Conv1D weights
 * stored [out, in], Gemma's norm weights stored as 1 + w and Gemma's tied lm_head left out. Matrices whose rows are
 * whole Q8_0 blocks can be stored as Q8_0 ({@code --outtype q8_0}); vectors stay F32, as the converter keeps them.
 */
public final class HfToGguf {

    /** tensor_mapping.py's Hugging Face block parts → GGUF block parts (post_attention_layernorm differs per family). */
    private static final Map<String, String> BLOCK = Map.ofEntries(
            Map.entry("input_layernorm", "attn_norm"),
            Map.entry("self_attn.q_proj", "attn_q"),
            Map.entry("self_attn.k_proj", "attn_k"),
            Map.entry("self_attn.v_proj", "attn_v"),
            Map.entry("self_attn.o_proj", "attn_output"),
            Map.entry("self_attn.qkv_proj", "attn_qkv"),
            Map.entry("self_attn.q_norm", "attn_q_norm"),
            Map.entry("self_attn.k_norm", "attn_k_norm"),
            Map.entry("pre_feedforward_layernorm", "ffn_norm"),
            Map.entry("post_feedforward_layernorm", "post_ffw_norm"),
            Map.entry("mlp.gate_proj", "ffn_gate"),
            Map.entry("mlp.up_proj", "ffn_up"),
            Map.entry("mlp.gate_up_proj", "ffn_up"),
            Map.entry("mlp.down_proj", "ffn_down"),
            Map.entry("ln_1", "attn_norm"),
            Map.entry("attn.c_attn", "attn_qkv"),
            Map.entry("attn.c_proj", "attn_output"),
            Map.entry("ln_2", "ffn_norm"),
            Map.entry("mlp.c_fc", "ffn_up"),
            Map.entry("mlp.c_proj", "ffn_down"));

    private static final Map<String, String> GLOBAL = Map.of(
            "model.embed_tokens.weight", "token_embd.weight",
            "wte.weight", "token_embd.weight",
            "wpe.weight", "position_embd.weight",
            "model.norm.weight", "output_norm.weight",
            "ln_f.weight", "output_norm.weight",
            "ln_f.bias", "output_norm.bias",
            "lm_head.weight", "output.weight");

    private static final Pattern LAYER = Pattern.compile("(?:model\\.layers|h)\\.(\\d+)\\.(.+)\\.(weight|bias)");

    private HfToGguf() {
    }

    public static Path write(Path fixture, String arch, Path target) {
        return write(fixture, arch, target, false);
    }

    /** @param q8 matrices whose rows are whole 32-element blocks stored as Q8_0 (token embedding included) */
    public static Path write(Path fixture, String arch, Path target, boolean q8) {
        JsonObject c = Json.readObject(fixture.resolve("config.json"));
        GgufWriter w = metadata(c, arch);
        boolean gemma = arch.startsWith("gemma");
        try (SafetensorsFile hf = SafetensorsFile.open(fixture.resolve("model.safetensors"))) {
            for (String name : hf.names()) {
                String plain = name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
                if (gemma && plain.equals("lm_head.weight")) {
                    continue; // the converter skips it: Gemma's head is the token embedding
                }
                String ggufName = ggufName(arch, plain);
                long[] shape = hf.shape(name);
                float[] values = hf.floats(name);
                if (gemma && plain.endsWith("norm.weight")) {
                    for (int i = 0; i < values.length; i++) {
                        values[i] += 1f; // Gemma's RMSNorm gain 1 + w, added in float32 as the converter's torch does
                    }
                }
                boolean conv1d = arch.equals("gpt2") && shape.length == 2 && !plain.startsWith("wte") && !plain.startsWith("wpe");
                if (conv1d) {
                    values = transpose(values, (int) shape[0], (int) shape[1]);
                    shape = new long[] {shape[1], shape[0]};
                }
                tensor(w, ggufName, shape, values, q8);
                if (arch.equals("gpt2") && ggufName.equals("token_embd.weight")) {
                    tensor(w, "output.weight", shape, values, q8); // GPT2Model's converter writes the tied head too
                }
            }
        }
        return w.write(target);
    }

    private static void tensor(GgufWriter w, String name, long[] rowMajorShape, float[] values, boolean q8) {
        long[] dims = new long[rowMajorShape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = rowMajorShape[rowMajorShape.length - 1 - i];
        }
        boolean quantise = q8 && dims.length == 2 && dims[0] % 32 == 0;
        w.tensor(name, quantise ? GgmlType.Q8_0 : GgmlType.F32, dims,
                quantise ? GgmlQuantizer.q8_0(values) : GgmlQuantizer.f32(values));
    }

    /** Whether {@link #write} with q8 stores the Hugging Face tensor of this shape as Q8_0. */
    static boolean quantisedAsQ8(long[] rowMajorShape) {
        return rowMajorShape.length == 2 && rowMajorShape[1] % 32 == 0;
    }

    private static String ggufName(String arch, String hfName) {
        String global = GLOBAL.get(hfName);
        if (global != null) {
            return global;
        }
        Matcher m = LAYER.matcher(hfName);
        if (!m.matches()) {
            throw new IllegalArgumentException("no GGUF name for " + hfName);
        }
        String part = m.group(2);
        String gguf = part.equals("post_attention_layernorm")
                ? (arch.startsWith("gemma") ? "post_attention_norm" : "ffn_norm")
                : BLOCK.get(part);
        if (gguf == null) {
            throw new IllegalArgumentException("no GGUF name for " + hfName);
        }
        return "blk." + m.group(1) + "." + gguf + "." + m.group(3);
    }

    /** The keys each converter class's set_gguf_parameters writes (TextModel's, Gemma2Model's, Phi3MiniModel's, …). */
    private static GgufWriter metadata(JsonObject c, String arch) {
        GgufWriter w = new GgufWriter().string("general.architecture", arch);
        if (arch.equals("gpt2")) {
            int d = c.get("n_embd").getAsInt();
            return w.u32("gpt2.block_count", c.get("n_layer").getAsInt())
                    .u32("gpt2.context_length", c.get("n_positions").getAsInt())
                    .u32("gpt2.embedding_length", d)
                    .u32("gpt2.feed_forward_length", c.get("n_inner").isJsonNull() ? 4 * d : c.get("n_inner").getAsInt())
                    .u32("gpt2.attention.head_count", c.get("n_head").getAsInt())
                    .f32("gpt2.attention.layer_norm_epsilon", c.get("layer_norm_epsilon").getAsFloat());
        }
        int d = c.get("hidden_size").getAsInt();
        int heads = c.get("num_attention_heads").getAsInt();
        w.u32(arch + ".block_count", c.get("num_hidden_layers").getAsInt())
                .u32(arch + ".context_length", c.get("max_position_embeddings").getAsInt())
                .u32(arch + ".embedding_length", d)
                .u32(arch + ".feed_forward_length", c.get("intermediate_size").getAsInt())
                .u32(arch + ".attention.head_count", heads)
                .u32(arch + ".attention.head_count_kv", c.get("num_key_value_heads").getAsInt())
                .f32(arch + ".attention.layer_norm_rms_epsilon", c.get("rms_norm_eps").getAsFloat());
        if (present(c, "head_dim")) {
            w.u32(arch + ".attention.key_length", c.get("head_dim").getAsInt())
                    .u32(arch + ".attention.value_length", c.get("head_dim").getAsInt());
        }
        if (!arch.equals("gemma2")) {
            // Gemma2Model writes no RoPE base (llama.cpp's default 10000 is Gemma-2's)
            w.f32(arch + ".rope.freq_base", c.get("rope_theta").getAsFloat());
        }
        switch (arch) {
            case "gemma2" -> w.f32("gemma2.attn_logit_softcapping", c.get("attn_logit_softcapping").getAsFloat())
                    .f32("gemma2.final_logit_softcapping", c.get("final_logit_softcapping").getAsFloat())
                    .u32("gemma2.attention.sliding_window", c.get("sliding_window").getAsInt());
            case "gemma3" -> {
                if (present(c, "final_logit_softcapping")) {
                    w.f32("gemma3.final_logit_softcapping", c.get("final_logit_softcapping").getAsFloat());
                }
                w.u32("gemma3.attention.sliding_window", c.get("sliding_window").getAsInt());
                JsonObject scaling = c.getAsJsonObject("rope_scaling");
                if (scaling != null && scaling.get("rope_type").getAsString().equals("linear")) {
                    w.string("gemma3.rope.scaling.type", "linear").f32("gemma3.rope.scaling.factor", scaling.get("factor").getAsFloat());
                }
            }
            case "phi3" -> {
                double rotary = present(c, "partial_rotary_factor") ? c.get("partial_rotary_factor").getAsDouble() : 1.0;
                w.u32("phi3.rope.scaling.original_context_length", c.get("original_max_position_embeddings").getAsInt())
                        .u32("phi3.rope.dimension_count", (int) (rotary * d) / heads)
                        .u32("phi3.attention.sliding_window", present(c, "sliding_window") ? c.get("sliding_window").getAsInt() : 0);
            }
            default -> {
            }
        }
        return w;
    }

    private static boolean present(JsonObject c, String key) {
        JsonElement e = c.get(key);
        return e != null && !e.isJsonNull();
    }

    private static float[] transpose(float[] values, int rows, int columns) {
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < columns; col++) {
                out[col * rows + r] = values[r * columns + col];
            }
        }
        return out;
    }
}
