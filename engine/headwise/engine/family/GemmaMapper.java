package headwise.engine.family;

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
 * Gemma, Gemma-2 and Gemma-3 (text) in Hugging Face layout: Llama's names with embeddings × √hidden, RMSNorm as
 * x̂·(1 + w), a GeGLU MLP (tanh GELU) and an explicit head_dim. Gemma-2/3 add the sandwich norms
 * (post_attention_layernorm on the attention output, pre_/post_feedforward_layernorm around the MLP), the attention
 * scale query_pre_attn_scalar^−½ and local (sliding-window) layers: "layer_types" when given, else Gemma-2's even
 * layers or every layer but each sliding_window_pattern-th in Gemma-3. Gemma-2 soft-caps attention scores and final
 * logits; Gemma-3 norms each head's q and k and uses rope_local_base_freq in its local layers.
 * <p>
 * The stored norm weights w become the canonical gains 1 + w here (in float32, as Hugging Face adds them), so the
 * forward's RMSNorm is the usual x̂·gain; a GGUF file, whose converter already added the 1, builds this mapper with
 * {@code storedPlusOne} true.
 */
public final class GemmaMapper implements WeightMapper {

    private final boolean storedPlusOne;

    public GemmaMapper() {
        this(false);
    }

    /** @param storedPlusOne the checkpoint's norm weights already are 1 + w (llama.cpp's conversion) */
    public GemmaMapper(boolean storedPlusOne) {
        this.storedPlusOne = storedPlusOne;
    }

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        String family = Json.optionalString(configFile, config, "model_type", "gemma");
        boolean gemma2 = family.equals("gemma2");
        boolean gemma3 = family.equals("gemma3_text");
        int d = Json.positiveInt(configFile, config, "hidden_size");
        int heads = Json.positiveInt(configFile, config, "num_attention_heads");
        int dHead = Families.headDim(configFile, config, d, heads);
        if (dHead % 2 != 0) {
            throw HeadwiseException.inFile(configFile, "head dimension " + dHead + " is odd; RoPE needs it even");
        }
        int layers = Json.positiveInt(configFile, config, "num_hidden_layers");
        if (Json.optionalBoolean(configFile, config, "use_bidirectional_attention", false)) {
            throw HeadwiseException.inFile(configFile, "\"use_bidirectional_attention\": true (an embedding model) is not "
                    + "supported; only causal Gemma language models");
        }
        // Gemma 1 configs say hidden_act "gelu" but Hugging Face runs the tanh GELU unless hidden_activation says otherwise
        String activation = Json.optionalString(configFile, config, "hidden_activation", "gelu_pytorch_tanh");
        if (Families.activation(configFile, "hidden_activation", activation) != ModelSpec.Activation.GELU_TANH) {
            throw HeadwiseException.inFile(configFile, "\"hidden_activation\" '" + activation
                    + "' is not supported for Gemma (only the tanh GELU: gelu_pytorch_tanh)");
        }
        ModelSpec.Variant variant = ModelSpec.Variant.STANDARD.withEmbedScale((float) Math.sqrt(d));
        int window = 0;
        ModelSpec.Rope rope = gemma3 ? gemma3Rope(configFile, config, "full_attention", "rope_theta", 1_000_000)
                : LlamaMapper.rope(configFile, config);
        if (gemma2 || gemma3) {
            double scalar = Json.optionalDouble(configFile, config, "query_pre_attn_scalar", 256);
            if (scalar <= 0) {
                throw HeadwiseException.inFile(configFile, "\"query_pre_attn_scalar\" must be positive, is " + scalar);
            }
            variant = variant.withAttentionScale(1 / Math.sqrt(scalar))
                    .withSoftcaps(softcap(configFile, config, "attn_logit_softcapping", gemma2 ? 50 : 0),
                            softcap(configFile, config, "final_logit_softcapping", gemma2 ? 30 : 0));
            window = Json.optionalInt(configFile, config, "sliding_window", 4096);
            if (window <= 0) {
                throw HeadwiseException.inFile(configFile, "\"sliding_window\" must be positive, is " + window);
            }
            int pattern = gemma3 ? Json.optionalInt(configFile, config, "sliding_window_pattern", 6) : 2;
            if (pattern <= 0) {
                throw HeadwiseException.inFile(configFile, "\"sliding_window_pattern\" must be positive, is " + pattern);
            }
            List<Boolean> sliding = Families.slidingLayers(configFile, config, layers, layer -> (layer + 1) % pattern != 0);
            ModelSpec.Rope local = gemma3 ? gemma3Rope(configFile, config, "sliding_attention", "rope_local_base_freq", 10_000) : null;
            variant = variant.withSlidingLayers(sliding, local);
        }
        return new ModelSpec(family, Families.architecture(configFile, config),
                layers, heads, Families.kvHeads(configFile, config, heads), d, dHead,
                Json.positiveInt(configFile, config, "intermediate_size"),
                Json.positiveInt(configFile, config, "vocab_size"),
                0, true, ModelSpec.Norm.RMS_NORM, false,
                Json.optionalDouble(configFile, config, "rms_norm_eps", 1e-6),
                ModelSpec.Activation.GELU_TANH_GATED,
                Families.output(configFile, config, family),
                rope, window, null, variant);
    }

    /** A soft-cap: the config's value, null meaning none, absent meaning Hugging Face's default for the family. */
    private static double softcap(Path configFile, JsonObject config, String key, double fallback) {
        if (config.has(key) && config.get(key).isJsonNull()) {
            return 0;
        }
        double cap = Json.optionalDouble(configFile, config, key, fallback);
        if (cap < 0) {
            throw HeadwiseException.inFile(configFile, "\"" + key + "\" must not be negative, is " + cap);
        }
        return cap;
    }

    /**
     * Gemma-3's RoPE for one layer type: Transformers 5 writes "rope_parameters" per layer type; older configs give
     * rope_theta and rope_scaling for the global layers and rope_local_base_freq (no scaling) for the local ones.
     */
    private static ModelSpec.Rope gemma3Rope(Path configFile, JsonObject config, String layerType, String thetaKey,
                                             double defaultTheta) {
        JsonObject parameters = LlamaMapper.object(configFile, config, "rope_parameters");
        if (parameters != null && parameters.has(layerType)) {
            JsonObject own = new JsonObject();
            own.add("rope_parameters", LlamaMapper.object(configFile, parameters, layerType));
            return LlamaMapper.rope(configFile, own);
        }
        if (layerType.equals("full_attention")) {
            JsonObject withDefault = config.deepCopy();
            if (!withDefault.has("rope_theta") || withDefault.get("rope_theta").isJsonNull()) {
                withDefault.addProperty("rope_theta", defaultTheta);
            }
            return LlamaMapper.rope(configFile, withDefault);
        }
        double theta = Json.optionalDouble(configFile, config, thetaKey, defaultTheta);
        if (theta <= 0) {
            throw HeadwiseException.inFile(configFile, "\"" + thetaKey + "\" must be positive, is " + theta);
        }
        return new ModelSpec.Rope(theta, ModelSpec.RopeLayout.ROTATE_HALF, null);
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        String p = t.has("model.embed_tokens.weight") ? "model." : "";
        boolean sandwich = !spec.family().equals("gemma");
        boolean headNorms = spec.family().equals("gemma3_text");
        int d = spec.dModel();
        int qWidth = spec.heads() * spec.dHead();
        int kvWidth = spec.kvHeads() * spec.dHead();
        int mlp = spec.dMlp();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String b = p + "layers." + i + ".";
            LayerWeights layer = new LayerWeights(
                    norm(t, b + "input_layernorm", d),
                    linear(t, b + "self_attn.q_proj", d, qWidth),
                    linear(t, b + "self_attn.k_proj", d, kvWidth),
                    linear(t, b + "self_attn.v_proj", d, kvWidth),
                    linear(t, b + "self_attn.o_proj", qWidth, d),
                    norm(t, b + (sandwich ? "pre_feedforward_layernorm" : "post_attention_layernorm"), d),
                    linear(t, b + "mlp.up_proj", d, mlp),
                    linear(t, b + "mlp.gate_proj", d, mlp),
                    linear(t, b + "mlp.down_proj", mlp, d));
            if (sandwich) {
                layer = layer.withSandwichNorms(norm(t, b + "post_attention_layernorm", d),
                        norm(t, b + "post_feedforward_layernorm", d));
            }
            if (headNorms) {
                layer = layer.withHeadNorms(norm(t, b + "self_attn.q_norm", spec.dHead()),
                        norm(t, b + "self_attn.k_norm", spec.dHead()));
            }
            layers.add(layer);
        }
        INDArray embed = t.load(p + "embed_tokens.weight", spec.vocabSize(), d);
        return new ModelWeights(embed, null, null, null, layers, norm(t, p + "norm", d),
                Families.lmHead(spec, t, "lm_head.weight", embed), null);
    }

    /** Gemma's attention has no biases unless attention_bias says so; loaded when stored. */
    private static Linear linear(CheckpointTensors t, String name, int in, int out) {
        return new Linear(t.loadTransposed(name + ".weight", out, in), t.loadOptional(name + ".bias", out));
    }

    /** The gain 1 + w, added in float32 as Hugging Face does. */
    private NormWeights norm(CheckpointTensors t, String name, int d) {
        INDArray w = t.load(name + ".weight", d);
        return new NormWeights(storedPlusOne ? w : w.addi(1.0f), null);
    }
}
