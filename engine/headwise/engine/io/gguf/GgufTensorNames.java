package headwise.engine.io.gguf;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp's tensor names ({@code token_embd.weight}, {@code blk.N.attn_q.weight}, …) as the Hugging Face names the
 * family mappers read, with what must be done to a tensor on the way: GPT-2's Conv1D weights are [in, out] in Hugging
 * Face but [out, in] in GGUF. (llama.cpp's converter stores Gemma's RMSNorm weights as 1 + w: they are handed out as
 * stored and the Gemma mapper is told so, see GgufLoader.)
 */
public final class GgufTensorNames {

    /** What to do to a tensor (in its row-major Hugging Face view) before handing it out. */
    public enum Transform {
        NONE,
        /** a matrix the other way round */
        TRANSPOSE
    }

    public record Mapped(String name, Transform transform) {
    }

    /** llama.cpp's per-pair RoPE frequency factors of Llama-3.1/3.2 files: not a weight, GgufLoader reads it. */
    public static final String ROPE_FREQS = "rope_freqs.weight";

    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d{1,9})\\.([a-z_]+)\\.(weight|bias)");

    private static final Map<String, String> LLAMA_BLOCK = Map.of(
            "attn_norm", "input_layernorm",
            "attn_q", "self_attn.q_proj",
            "attn_k", "self_attn.k_proj",
            "attn_v", "self_attn.v_proj",
            "attn_output", "self_attn.o_proj",
            "ffn_norm", "post_attention_layernorm",
            "ffn_gate", "mlp.gate_proj",
            "ffn_up", "mlp.up_proj",
            "ffn_down", "mlp.down_proj");

    private static final Map<String, String> GPT2_BLOCK = Map.of(
            "attn_norm", "ln_1",
            "attn_qkv", "attn.c_attn",
            "attn_output", "attn.c_proj",
            "ffn_norm", "ln_2",
            "ffn_up", "mlp.c_fc",
            "ffn_down", "mlp.c_proj");

    private GgufTensorNames() {
    }

    /** The Hugging Face name of GGUF tensor {@code name} in architecture {@code arch}, or null when it has none. */
    public static Mapped map(String arch, String name) {
        boolean gpt2 = arch.equals("gpt2");
        switch (name) {
            case "token_embd.weight":
                return new Mapped(gpt2 ? "wte.weight" : "model.embed_tokens.weight", Transform.NONE);
            case "position_embd.weight":
                return gpt2 ? new Mapped("wpe.weight", Transform.NONE) : null;
            case "output.weight":
                return new Mapped("lm_head.weight", Transform.NONE);
            case "output_norm.weight":
                return new Mapped(gpt2 ? "ln_f.weight" : "model.norm.weight", Transform.NONE);
            case "output_norm.bias":
                return gpt2 ? new Mapped("ln_f.bias", Transform.NONE) : null;
            default:
                break;
        }
        Matcher block = BLOCK.matcher(name);
        if (!block.matches()) {
            return null;
        }
        String part = blockPart(arch).get(block.group(2));
        if (part == null) {
            return null;
        }
        String suffix = block.group(3);
        String layer = block.group(1);
        if (gpt2) {
            boolean conv1d = suffix.equals("weight") && !part.startsWith("ln_");
            return new Mapped("h." + layer + "." + part + "." + suffix, conv1d ? Transform.TRANSPOSE : Transform.NONE);
        }
        return new Mapped("model.layers." + layer + "." + part + "." + suffix, Transform.NONE);
    }

    private static Map<String, String> blockPart(String arch) {
        Map<String, String> parts = new HashMap<>(arch.equals("gpt2") ? GPT2_BLOCK : LLAMA_BLOCK);
        switch (arch) {
            case "qwen3" -> headNorms(parts);
            case "gemma2" -> sandwich(parts);
            case "gemma3" -> {
                sandwich(parts);
                headNorms(parts);
            }
            case "phi3" -> {
                // both stay fused, as Phi-3's own checkpoints store them: qkv_proj rows q, k, v; gate_up_proj rows gate, up
                parts.remove("attn_q");
                parts.remove("attn_k");
                parts.remove("attn_v");
                parts.remove("ffn_gate");
                parts.put("attn_qkv", "self_attn.qkv_proj");
                parts.put("ffn_up", "mlp.gate_up_proj");
            }
            default -> {
            }
        }
        return parts;
    }

    /** Gemma-2/3's sandwich: ffn_norm is the norm before the MLP, the post_* norms follow each sub-block. */
    private static void sandwich(Map<String, String> parts) {
        parts.put("post_attention_norm", "post_attention_layernorm");
        parts.put("ffn_norm", "pre_feedforward_layernorm");
        parts.put("post_ffw_norm", "post_feedforward_layernorm");
    }

    /** Qwen3's and Gemma-3's RMSNorm of each head's q and k. */
    private static void headNorms(Map<String, String> parts) {
        parts.put("attn_q_norm", "self_attn.q_norm");
        parts.put("attn_k_norm", "self_attn.k_norm");
    }
}
