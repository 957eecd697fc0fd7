package headwise.engine.family;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.LayerWeights;
import headwise.engine.model.ModelWeights.Linear;
import headwise.engine.model.ModelWeights.NormWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama 2/3, Mistral and Qwen2 in Hugging Face layout: Linear weights [out, in], rotate-half RoPE, RMSNorm before
 * each sub-block, SwiGLU MLP, grouped-query attention; Qwen2 adds q/k/v biases; sliding windows per layer (Mistral:
 * every layer; Qwen2/Qwen3: the layers ≥ max_window_layers; "layer_types" when given). Qwen3Mapper and Phi3Mapper
 * build on this spec.
 * Names with the {@code model.} prefix (…ForCausalLM: LM logits) or without it (the bare …Model: the last hidden
 * state after the final norm). The LM head is {@code lm_head.weight} when stored, else the tied token embedding.
 * Positions are unbounded (maxPositions 0): like Hugging Face, RoPE runs past max_position_embeddings.
 */
public final class LlamaMapper implements WeightMapper {

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        String family = Json.optionalString(configFile, config, "model_type", "llama");
        int d = Json.positiveInt(configFile, config, "hidden_size");
        int heads = Json.positiveInt(configFile, config, "num_attention_heads");
        int kvHeads = Families.kvHeads(configFile, config, heads);
        int dHead = Families.headDim(configFile, config, d, heads);
        if (dHead % 2 != 0) {
            throw HeadwiseException.inFile(configFile, "head dimension " + dHead + " is odd; RoPE needs it even");
        }
        String activation = Json.optionalString(configFile, config, "hidden_act", "silu");
        if (!activation.equals("silu")) {
            throw HeadwiseException.inFile(configFile, "\"hidden_act\" '" + activation + "' is not supported (only 'silu')");
        }
        int layers = Json.positiveInt(configFile, config, "num_hidden_layers");
        int window = window(configFile, config, family);
        List<Boolean> sliding = slidingLayers(configFile, config, family, layers); // checks layer_types in any case
        if (window == 0) {
            sliding = null;
        }
        if (sliding != null && !sliding.contains(true)) {
            window = 0;
            sliding = null;
        }
        return new ModelSpec(family, Families.architecture(configFile, config),
                layers, heads, kvHeads, d, dHead,
                Json.positiveInt(configFile, config, "intermediate_size"),
                Json.positiveInt(configFile, config, "vocab_size"),
                0, true, ModelSpec.Norm.RMS_NORM, false,
                Json.optionalDouble(configFile, config, "rms_norm_eps", 1e-6),
                ModelSpec.Activation.SILU_GATED,
                Families.output(configFile, config, family),
                rope(configFile, config),
                window,
                null,
                ModelSpec.Variant.STANDARD.withSlidingLayers(sliding, null));
    }

    /**
     * rope_theta and rope_scaling; Transformers 5 writes both inside "rope_parameters" instead.
     * Scaling "default" (or none) is plain RoPE; only "linear" and "llama3" change the frequencies.
     */
    static ModelSpec.Rope rope(Path configFile, JsonObject config) {
        JsonObject parameters = object(configFile, config, "rope_parameters");
        JsonObject holder = parameters != null ? parameters : config;
        double theta = Json.optionalDouble(configFile, holder, "rope_theta", 10000);
        if (theta <= 0) {
            throw HeadwiseException.inFile(configFile, "\"rope_theta\" must be positive, is " + theta);
        }
        JsonObject scaling = parameters != null ? parameters : object(configFile, config, "rope_scaling");
        return new ModelSpec.Rope(theta, ModelSpec.RopeLayout.ROTATE_HALF, scaling(configFile, scaling));
    }

    private static ModelSpec.RopeScaling scaling(Path configFile, JsonObject scaling) {
        if (scaling == null) {
            return null;
        }
        // older configs say "type", newer "rope_type"
        String type = Json.optionalString(configFile, scaling, "rope_type",
                Json.optionalString(configFile, scaling, "type", "default"));
        return switch (type) {
            case "default" -> null;
            case "linear" -> new ModelSpec.RopeScaling("linear", positive(configFile, scaling, "factor"), 0, 0, 0);
            case "llama3" -> {
                double low = positive(configFile, scaling, "low_freq_factor");
                double high = positive(configFile, scaling, "high_freq_factor");
                if (high <= low) {
                    throw HeadwiseException.inFile(configFile, "rope_scaling: high_freq_factor (" + high
                            + ") must be larger than low_freq_factor (" + low + ")");
                }
                yield new ModelSpec.RopeScaling("llama3", positive(configFile, scaling, "factor"), low, high,
                        Json.positiveInt(configFile, scaling, "original_max_position_embeddings"));
            }
            default -> throw HeadwiseException.inFile(configFile, "rope_scaling type '" + type
                    + "' is not supported (only 'linear' and 'llama3')");
        };
    }

    /**
     * Keys a query may look back in its sliding layers (0 = none). Llama has no window; Mistral and Phi-3 slide when
     * "sliding_window" is set; Qwen2/Qwen3 only with "use_sliding_window".
     */
    private static int window(Path configFile, JsonObject config, String family) {
        if (family.equals("llama")) {
            return 0;
        }
        int window = Json.optionalInt(configFile, config, "sliding_window", 0);
        if (window < 0) {
            throw HeadwiseException.inFile(configFile, "\"sliding_window\" must not be negative, is " + window);
        }
        boolean qwen = family.startsWith("qwen");
        return qwen && !Json.optionalBoolean(configFile, config, "use_sliding_window", false) ? 0 : window;
    }

    /**
     * Which layers slide: "layer_types" when the config has it; otherwise every layer, except in Qwen2/Qwen3 where (as
     * in Hugging Face) only the layers ≥ "max_window_layers" do. Null when all of them do.
     */
    private static List<Boolean> slidingLayers(Path configFile, JsonObject config, String family, int layers) {
        int fullLayers = family.startsWith("qwen") ? Json.optionalInt(configFile, config, "max_window_layers", 28) : 0;
        return Families.slidingLayers(configFile, config, layers, layer -> layer >= fullLayers);
    }

    private static double positive(Path configFile, JsonObject o, String key) {
        double value = Json.optionalDouble(configFile, o, key, Double.NaN);
        if (!(value > 0)) {
            throw HeadwiseException.inFile(configFile, Double.isNaN(value) ? "rope_scaling: missing \"" + key + "\""
                    : "rope_scaling: \"" + key + "\" must be positive, is " + value);
        }
        return value;
    }

    /** An optional JSON object field (null when absent or null). */
    static JsonObject object(Path configFile, JsonObject config, String key) {
        JsonElement e = config.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw HeadwiseException.inFile(configFile, "\"" + key + "\" must be an object");
        }
        return e.getAsJsonObject();
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        String p = t.has("model.embed_tokens.weight") ? "model." : "";
        int d = spec.dModel();
        int qWidth = spec.heads() * spec.dHead();
        int kvWidth = spec.kvHeads() * spec.dHead();
        boolean qkvBias = spec.family().equals("qwen2");
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String b = p + "layers." + i + ".";
            layers.add(new LayerWeights(
                    norm(t, b + "input_layernorm", d),
                    linear(t, b + "self_attn.q_proj", d, qWidth, qkvBias),
                    linear(t, b + "self_attn.k_proj", d, kvWidth, qkvBias),
                    linear(t, b + "self_attn.v_proj", d, kvWidth, qkvBias),
                    linear(t, b + "self_attn.o_proj", qWidth, d, false),
                    norm(t, b + "post_attention_layernorm", d),
                    linear(t, b + "mlp.up_proj", d, spec.dMlp(), false),
                    linear(t, b + "mlp.gate_proj", d, spec.dMlp(), false),
                    linear(t, b + "mlp.down_proj", spec.dMlp(), d, false)));
        }
        INDArray embed = t.load(p + "embed_tokens.weight", spec.vocabSize(), d);
        return new ModelWeights(embed, null, null, null, layers, norm(t, p + "norm", d),
                Families.lmHead(spec, t, "lm_head.weight", embed), null);
    }

    /**
     * A Linear [out, in] as [in, out]. Its bias is required when {@code bias} says so (Qwen2's q/k/v) and otherwise
     * loaded when stored (Llama's attention_bias / mlp_bias options).
     */
    private static Linear linear(CheckpointTensors t, String name, int in, int out, boolean bias) {
        INDArray weight = t.loadTransposed(name + ".weight", out, in);
        return new Linear(weight, bias ? t.load(name + ".bias", out) : t.loadOptional(name + ".bias", out));
    }

    private static NormWeights norm(CheckpointTensors t, String name, int d) {
        return new NormWeights(t.load(name + ".weight", d), null);
    }
}
