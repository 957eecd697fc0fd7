package headwise.engine.family;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.LinkedHashMap;
import java.util.Map;

/** The supported families, chosen by config.json's {@code model_type}. */
public final class Families {

    /** More layers than any published transformer by far (the deepest have a few hundred). */
    static final int MAX_LAYERS = 4096;

    private static final Map<String, WeightMapper> BY_MODEL_TYPE = new LinkedHashMap<>();

    static {
        BY_MODEL_TYPE.put("gpt2", new Gpt2Mapper());
        BY_MODEL_TYPE.put("bert", new BertMapper());
        BY_MODEL_TYPE.put("llama", new LlamaMapper());
        BY_MODEL_TYPE.put("mistral", new LlamaMapper());
        BY_MODEL_TYPE.put("qwen2", new LlamaMapper());
        BY_MODEL_TYPE.put("qwen3", new Qwen3Mapper());
        BY_MODEL_TYPE.put("phi3", new Phi3Mapper());
        BY_MODEL_TYPE.put("gpt_neox", new GptNeoxMapper());
        BY_MODEL_TYPE.put("gemma", new GemmaMapper());
        BY_MODEL_TYPE.put("gemma2", new GemmaMapper());
        BY_MODEL_TYPE.put("gemma3_text", new GemmaMapper());
        BY_MODEL_TYPE.put("opt", new OptMapper());
        BY_MODEL_TYPE.put("vit", new VitMapper());
        BY_MODEL_TYPE.put("deit", new VitMapper());
    }

    private Families() {
    }

    public static WeightMapper forConfig(Path configFile, JsonObject config) {
        String modelType = Json.optionalString(configFile, config, "model_type", null);
        if (modelType == null) {
            throw HeadwiseException.inFile(configFile, "no \"model_type\"; supported: " + String.join(", ", BY_MODEL_TYPE.keySet()));
        }
        WeightMapper mapper = BY_MODEL_TYPE.get(modelType);
        if (mapper == null) {
            throw HeadwiseException.inFile(configFile, "unsupported architecture: model_type '" + modelType
                    + "' (" + architecture(configFile, config) + "); supported: " + String.join(", ", BY_MODEL_TYPE.keySet()));
        }
        refuseExperts(configFile, config);
        return mapper;
    }

    /** Mixture-of-experts blocks (Mixtral, Qwen-MoE, DeepSeek, …) are not run by the dense MLP: one line naming the key. */
    private static void refuseExperts(Path configFile, JsonObject config) {
        for (String key : new String[] {"num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts"}) {
            if (Json.optionalInt(configFile, config, key, 0) > 0) {
                throw HeadwiseException.inFile(configFile, "\"" + key + "\": " + config.get(key)
                        + " asks for a mixture-of-experts MLP, which is not supported");
            }
        }
    }

    /**
     * Per layer, whether it uses the sliding window: config.json's "layer_types" when it has one (Transformers ≥ 4.53
     * writes it; any type but "full_attention" and "sliding_attention", e.g. linear attention, is refused), else
     * {@code rule}. Null when every layer slides (the spec's default).
     */
    static List<Boolean> slidingLayers(Path configFile, JsonObject config, int layers, IntPredicate rule) {
        if (layers > MAX_LAYERS) { // before a flag per layer is allocated (a config read without its weights)
            throw HeadwiseException.inFile(configFile, "the layer count " + layers + " is more than any transformer has (at most "
                    + MAX_LAYERS + " here)");
        }
        List<Boolean> sliding = new ArrayList<>();
        JsonElement types = config.get("layer_types");
        if (types != null && !types.isJsonNull()) {
            if (!types.isJsonArray() || types.getAsJsonArray().size() != layers) {
                throw HeadwiseException.inFile(configFile, "\"layer_types\" must list one type for each of the " + layers + " layers");
            }
            for (JsonElement type : types.getAsJsonArray()) {
                String name = type.isJsonPrimitive() ? type.getAsString() : String.valueOf(type);
                if (!name.equals("full_attention") && !name.equals("sliding_attention")) {
                    throw HeadwiseException.inFile(configFile, "\"layer_types\": '" + name
                            + "' is not supported (only 'full_attention' and 'sliding_attention')");
                }
                sliding.add(name.equals("sliding_attention"));
            }
        } else {
            for (int layer = 0; layer < layers; layer++) {
                sliding.add(rule.test(layer));
            }
        }
        return sliding.contains(false) ? sliding : null;
    }

    /** A rope_scaling that the family cannot apply: one line naming it (null or "default" is plain RoPE). */
    static void refuseRopeScaling(Path configFile, JsonObject config) {
        JsonElement scaling = config.get("rope_scaling");
        if (scaling != null && !scaling.isJsonNull() && !(scaling.isJsonObject()
                && "default".equals(Json.optionalString(configFile, scaling.getAsJsonObject(), "rope_type",
                Json.optionalString(configFile, scaling.getAsJsonObject(), "type", "default"))))) {
            throw HeadwiseException.inFile(configFile, "\"rope_scaling\": " + scaling + " is not supported for model_type '"
                    + Json.optionalString(configFile, config, "model_type", "?") + "'");
        }
    }

    /** The head width: "head_dim" when given (Gemma, Qwen3), else hidden_size / heads, which must then divide. */
    static int headDim(Path configFile, JsonObject config, int d, int heads) {
        if (config.has("head_dim") && !config.get("head_dim").isJsonNull()) {
            return Json.positiveInt(configFile, config, "head_dim");
        }
        if (d % heads != 0) {
            throw HeadwiseException.inFile(configFile, "hidden_size (" + d + ") is not a multiple of num_attention_heads ("
                    + heads + ") and there is no \"head_dim\"");
        }
        return d / heads;
    }

    /** num_attention_heads, which must divide hidden_size {@code d} (families without "head_dim"). */
    static int headsDividing(Path configFile, JsonObject config, int d) {
        int heads = Json.positiveInt(configFile, config, "num_attention_heads");
        if (d % heads != 0) {
            throw HeadwiseException.inFile(configFile, "hidden_size (" + d + ") is not a multiple of num_attention_heads (" + heads + ")");
        }
        return heads;
    }

    /** The MLP's activation from {@code key} (else {@code fallback}), refused when gated: {@code family}'s MLP is not. */
    static ModelSpec.Activation ungatedActivation(Path configFile, JsonObject config, String key, String fallback, String family) {
        ModelSpec.Activation activation = activation(configFile, key, Json.optionalString(configFile, config, key, fallback));
        if (activation.gated()) {
            throw HeadwiseException.inFile(configFile, "\"" + key + "\" " + activation + " is not supported for " + family
                    + " (its MLP is not gated)");
        }
        return activation;
    }

    /** num_key_value_heads (default: the heads), which must divide the heads. */
    static int kvHeads(Path configFile, JsonObject config, int heads) {
        int kvHeads = config.has("num_key_value_heads") && !config.get("num_key_value_heads").isJsonNull()
                ? Json.positiveInt(configFile, config, "num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw HeadwiseException.inFile(configFile, "num_attention_heads (" + heads
                    + ") is not a multiple of num_key_value_heads (" + kvHeads + ")");
        }
        return kvHeads;
    }

    /** The first of config.json's "architectures", or its model_type. */
    static String architecture(Path configFile, JsonObject config) {
        JsonElement architectures = config.get("architectures");
        if (architectures != null && architectures.isJsonArray()) {
            JsonArray array = architectures.getAsJsonArray();
            if (!array.isEmpty() && array.get(0).isJsonPrimitive()) {
                return array.get(0).getAsString();
            }
        }
        return Json.optionalString(configFile, config, "model_type", "unknown");
    }

    /** Hugging Face's activation names. */
    static ModelSpec.Activation activation(Path configFile, String key, String name) {
        return switch (name) {
            case "gelu", "gelu_python" -> ModelSpec.Activation.GELU_ERF;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> ModelSpec.Activation.GELU_TANH;
            case "relu" -> ModelSpec.Activation.RELU;
            case "quick_gelu" -> ModelSpec.Activation.GELU_QUICK;
            case "silu", "swish" -> ModelSpec.Activation.SILU_GATED;
            default -> throw HeadwiseException.inFile(configFile, "\"" + key + "\" '" + name + "' is not supported");
        };
    }

    /** …ForCausalLM (or no "architectures"): LM logits; the bare …Model: last hidden state. */
    static ModelSpec.Output output(Path configFile, JsonObject config, String family) {
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
     * The LM head of a causal LM ({@code stored}, a [vocab, width] weight, when the checkpoint has it, else the tied
     * token embedding [vocab, width]), as [width, vocab]; null when the spec's output is not LM logits.
     */
    static ModelWeights.Linear lmHead(ModelSpec spec, CheckpointTensors t, String stored, INDArray embed) {
        if (spec.output() != ModelSpec.Output.LM_LOGITS) {
            return null;
        }
        // tie_word_embeddings: Hugging Face then stores no head; a stored one always wins
        return new ModelWeights.Linear(t.has(stored)
                ? t.loadTransposed(stored, spec.vocabSize(), embed.size(1))
                : embed.transpose().dup('c'), null);
    }
}
