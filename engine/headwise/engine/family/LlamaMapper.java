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
 * each sub-block, SwiGLU MLP, grouped-query attention; Qwen2 adds q/k/v biases, Mistral a sliding window.
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
        int kvHeads = config.has("num_key_value_heads") && !config.get("num_key_value_heads").isJsonNull()
                ? Json.positiveInt(configFile, config, "num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw HeadwiseException.inFile(configFile, "num_attention_heads (" + heads
                    + ") is not a multiple of num_key_value_heads (" + kvHeads + ")");
        }
        boolean explicitHeadDim = config.has("head_dim") && !config.get("head_dim").isJsonNull();
        if (!explicitHeadDim && d % heads != 0) {
            throw HeadwiseException.inFile(configFile, "hidden_size (" + d + ") is not a multiple of num_attention_heads ("
                    + heads + ") and there is no \"head_dim\"");
        }
        int dHead = explicitHeadDim ? Json.positiveInt(configFile, config, "head_dim") : d / heads;
        if (dHead % 2 != 0) {
            throw HeadwiseException.inFile(configFile, "head dimension " + dHead + " is odd; RoPE needs it even");
        }
        String activation = Json.optionalString(configFile, config, "hidden_act", "silu");
        if (!activation.equals("silu")) {
            throw HeadwiseException.inFile(configFile, "\"hidden_act\" '" + activation + "' is not supported (only 'silu')");
        }
        int layers = Json.positiveInt(configFile, config, "num_hidden_layers");
        return new ModelSpec(family, Families.architecture(configFile, config),
                layers, heads, kvHeads, d, dHead,
                Json.positiveInt(configFile, config, "intermediate_size"),
                Json.positiveInt(configFile, config, "vocab_size"),
                0, true, ModelSpec.Norm.RMS_NORM, false,
                Json.optionalDouble(configFile, config, "rms_norm_eps", 1e-6),
                ModelSpec.Activation.SILU_GATED,
                output(configFile, config, family),
                rope(configFile, config),
                slidingWindow(configFile, config, family, layers),
                null);
    }

    /** …ForCausalLM (or no "architectures"): LM logits; the bare …Model: last hidden state. */
    private static ModelSpec.Output output(Path configFile, JsonObject config, String family) {
        JsonElement declared = config.get("architectures");
        if (declared == null || declared.isJsonNull()) {
            return ModelSpec.Output.LM_LOGITS;
        }
        String architecture = Families.architecture(configFile, config);
        if (architecture.endsWith("ForCausalLM")) {
            return ModelSpec.Output.LM_LOGITS;
        }
        if (architecture.endsWith("Model")) {
            return ModelSpec.Output.HIDDEN_STATE;
        }
        throw HeadwiseException.inFile(configFile, "architecture " + architecture + " is not supported for model_type '"
                + family + "' (only …ForCausalLM and the bare …Model)");
    }

    /**
     * rope_theta and rope_scaling; Transformers 5 writes both inside "rope_parameters" instead.
     * Scaling "default" (or none) is plain RoPE; only "linear" and "llama3" change the frequencies.
     */
    private static ModelSpec.Rope rope(Path configFile, JsonObject config) {
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
     * Keys a query may look back (0 = all). Llama has none; Mistral slides in every layer when "sliding_window" is set;
     * Qwen2 only with "use_sliding_window", and then (as Hugging Face) only in layers ≥ "max_window_layers".
     * Transformers ≥ 4.53 also writes the outcome per layer as "layer_types", which then decides.
     */
    private static int slidingWindow(Path configFile, JsonObject config, String family, int layers) {
        if (family.equals("llama")) {
            return 0;
        }
        int window = Json.optionalInt(configFile, config, "sliding_window", 0);
        if (window < 0) {
            throw HeadwiseException.inFile(configFile, "\"sliding_window\" must not be negative, is " + window);
        }
        boolean qwen2 = family.equals("qwen2");
        if (window == 0 || qwen2 && !Json.optionalBoolean(configFile, config, "use_sliding_window", false)) {
            return 0;
        }
        JsonElement types = config.get("layer_types");
        int slidingLayers;
        if (types != null && types.isJsonArray()) {
            slidingLayers = (int) types.getAsJsonArray().asList().stream()
                    .filter(e -> e.isJsonPrimitive() && e.getAsString().equals("sliding_attention")).count();
        } else {
            int fullLayers = qwen2 ? Json.optionalInt(configFile, config, "max_window_layers", 28) : 0;
            slidingLayers = layers - Math.min(layers, fullLayers);
        }
        if (slidingLayers != 0 && slidingLayers != layers) {
            throw HeadwiseException.inFile(configFile, "a sliding window in only " + slidingLayers + " of " + layers
                    + " layers is not supported");
        }
        return slidingLayers == 0 ? 0 : window;
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
    private static JsonObject object(Path configFile, JsonObject config, String key) {
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
        Linear unembed = null;
        if (spec.output() == ModelSpec.Output.LM_LOGITS) {
            // tie_word_embeddings: Hugging Face then stores no lm_head.weight; a stored one always wins
            unembed = new Linear(t.has("lm_head.weight")
                    ? t.loadTransposed("lm_head.weight", spec.vocabSize(), d)
                    : embed.transpose().dup('c'), null);
        }
        return new ModelWeights(embed, null, null, null, layers, norm(t, p + "norm", d), unembed, null);
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
