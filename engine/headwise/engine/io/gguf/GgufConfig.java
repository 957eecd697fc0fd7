package headwise.engine.io.gguf;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;

import java.util.List;

/**
 * A GGUF file's metadata as the config.json Hugging Face would have written for the same model, so that the family's
 * own mapper reads it. Keys are llama.cpp's ({@code {arch}.block_count}, {@code {arch}.attention.head_count}, …);
 * what the mapper needs but GGUF does not store is filled in as llama.cpp itself assumes it.
 */
public final class GgufConfig {

    /** GGUF {@code general.architecture} → Hugging Face model_type and class. */
    private record Family(String modelType, String hfClass) {
    }

    private GgufConfig() {
    }

    public static List<String> architectures() {
        return List.of("llama", "qwen2", "qwen3", "gemma2", "gemma3", "phi3", "gpt2");
    }

    public static String architecture(GgufFile gguf) {
        String arch = gguf.metadata().string("general.architecture");
        if (!architectures().contains(arch)) {
            throw HeadwiseException.inFile(gguf.file(), "unsupported GGUF architecture " + HeadwiseException.quote(arch)
                    + "; supported: " + String.join(", ", architectures()));
        }
        return arch;
    }

    /** The config.json for the file's architecture; {@code vocabSize} from the token embedding's shape. */
    public static JsonObject of(GgufFile gguf, long vocabSize) {
        String arch = architecture(gguf);
        GgufMetadata m = gguf.metadata();
        Family family = family(arch);
        JsonObject c = new JsonObject();
        c.addProperty("model_type", family.modelType());
        JsonArray classes = new JsonArray();
        classes.add(family.hfClass());
        c.add("architectures", classes);
        c.addProperty("vocab_size", vocabSize);
        int layers = m.nonNegativeInt(arch + ".block_count");
        int d = m.nonNegativeInt(arch + ".embedding_length");
        int heads = m.nonNegativeInt(arch + ".attention.head_count");
        copyInt(m, c, arch + ".context_length", arch.equals("gpt2") ? "n_positions" : "max_position_embeddings");
        if (arch.equals("gpt2")) {
            c.addProperty("n_layer", layers);
            c.addProperty("n_embd", d);
            c.addProperty("n_head", heads);
            copyInt(m, c, arch + ".feed_forward_length", "n_inner");
            copyNumber(m, c, arch + ".attention.layer_norm_epsilon", "layer_norm_epsilon");
            c.addProperty("activation_function", "gelu_new");
            return c;
        }
        c.addProperty("num_hidden_layers", layers);
        c.addProperty("hidden_size", d);
        c.addProperty("num_attention_heads", heads);
        c.addProperty("num_key_value_heads", m.has(arch + ".attention.head_count_kv")
                ? m.nonNegativeInt(arch + ".attention.head_count_kv") : heads);
        copyInt(m, c, arch + ".feed_forward_length", "intermediate_size");
        copyNumber(m, c, arch + ".attention.layer_norm_rms_epsilon", "rms_norm_eps");
        copyNumber(m, c, arch + ".rope.freq_base", "rope_theta");
        Integer keyLength = m.optionalInt(arch + ".attention.key_length");
        int headDim = keyLength != null ? keyLength : d / heads;
        if (keyLength != null) {
            c.addProperty("head_dim", keyLength);
        }
        Integer ropeDims = m.optionalInt(arch + ".rope.dimension_count");
        ropeScaling(gguf, arch, c);
        switch (arch) {
            case "llama" -> {
                c.addProperty("hidden_act", "silu");
                if (ropeDims != null && ropeDims != headDim) {
                    throw HeadwiseException.inFile(gguf.file(), "llama.rope.dimension_count " + ropeDims
                            + " differs from the head dimension " + headDim + "; partial rotary is not supported for llama");
                }
            }
            case "qwen2", "qwen3" -> c.addProperty("hidden_act", "silu");
            case "gemma2" -> gemma2(m, c, layers, d, heads, headDim);
            case "gemma3" -> gemma3(m, c, layers, d, heads, headDim);
            case "phi3" -> {
                c.addProperty("hidden_act", "silu");
                c.addProperty("partial_rotary_factor", ropeDims == null ? 1.0 : ropeDims / (double) headDim);
                copyInt(m, c, "phi3.attention.sliding_window", "sliding_window");
                copyInt(m, c, "phi3.rope.scaling.original_context_length", "original_max_position_embeddings");
            }
            default -> throw new IllegalStateException(arch);
        }
        return c;
    }

    private static Family family(String arch) {
        return switch (arch) {
            case "llama" -> new Family("llama", "LlamaForCausalLM");
            case "qwen2" -> new Family("qwen2", "Qwen2ForCausalLM");
            case "qwen3" -> new Family("qwen3", "Qwen3ForCausalLM");
            case "gemma2" -> new Family("gemma2", "Gemma2ForCausalLM");
            case "gemma3" -> new Family("gemma3_text", "Gemma3ForCausalLM");
            case "phi3" -> new Family("phi3", "Phi3ForCausalLM");
            default -> new Family("gpt2", "GPT2LMHeadModel");
        };
    }

    /**
     * Gemma-2: GeGLU with tanh GELU, soft-caps, every other layer local. GGUF does not store query_pre_attn_scalar:
     * llama.cpp scales queries by 1/√head_dim except in the 27B model (46 layers), where it uses 1/√(hidden/heads) —
     * as Gemma-2's own configs say (256 for 2B and 9B, 144 for 27B).
     */
    private static void gemma2(GgufMetadata m, JsonObject c, int layers, int d, int heads, int headDim) {
        c.addProperty("hidden_activation", "gelu_pytorch_tanh");
        c.addProperty("query_pre_attn_scalar", layers == 46 ? d / heads : headDim);
        copyNumber(m, c, "gemma2.attn_logit_softcapping", "attn_logit_softcapping");
        copyNumber(m, c, "gemma2.final_logit_softcapping", "final_logit_softcapping");
        copyInt(m, c, "gemma2.attention.sliding_window", "sliding_window");
    }

    /**
     * Gemma-3 as llama.cpp runs it: no attention soft-cap, final soft-cap only when stored, q/k norms; the query scale
     * by the same rule as Gemma-2 (1/√(hidden/heads) in the 27B model, 62 layers); with a sliding window, five local
     * layers then one global (llama.cpp's fixed pattern of 6), the local ones with RoPE base 10000 and no scaling;
     * without one, every layer global.
     */
    private static void gemma3(GgufMetadata m, JsonObject c, int layers, int d, int heads, int headDim) {
        c.addProperty("hidden_activation", "gelu_pytorch_tanh");
        c.addProperty("query_pre_attn_scalar", layers == 62 ? d / heads : headDim);
        copyNumber(m, c, "gemma3.final_logit_softcapping", "final_logit_softcapping");
        Integer window = m.optionalInt("gemma3.attention.sliding_window");
        c.addProperty("sliding_window_pattern", window != null && window > 0 ? 6 : 1);
        if (window != null && window > 0) {
            c.addProperty("sliding_window", window);
        }
        Double localBase = m.optionalNumber("gemma3.rope.freq_base_swa");
        c.addProperty("rope_local_base_freq", localBase != null ? localBase : 10000.0);
    }

    /** {arch}.rope.scaling.type/factor as rope_scaling (the mapper rejects types it does not support). */
    private static void ropeScaling(GgufFile gguf, String arch, JsonObject c) {
        GgufMetadata m = gguf.metadata();
        String type = m.optionalString(arch + ".rope.scaling.type", "none");
        if (type.equals("none")) {
            return;
        }
        JsonObject scaling = new JsonObject();
        scaling.addProperty("rope_type", type);
        copyNumber(m, scaling, arch + ".rope.scaling.factor", "factor");
        copyInt(m, scaling, arch + ".rope.scaling.original_context_length", "original_max_position_embeddings");
        c.add("rope_scaling", scaling);
    }

    private static void copyInt(GgufMetadata m, JsonObject c, String key, String configKey) {
        Integer value = m.optionalInt(key);
        if (value != null) {
            c.addProperty(configKey, value);
        }
    }

    private static void copyNumber(GgufMetadata m, JsonObject c, String key, String configKey) {
        Double value = m.optionalNumber(key);
        if (value != null) {
            c.addProperty(configKey, value);
        }
    }
}
