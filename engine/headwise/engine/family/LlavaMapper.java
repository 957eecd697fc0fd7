package headwise.engine.family;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.io.TensorSource;
import headwise.engine.json.Json;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.Linear;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hugging Face's LlavaForConditionalGeneration (model_type {@code llava}): a CLIP or SigLIP vision tower
 * ({@link ClipVisionMapper}), a two-layer projector ({@code multi_modal_projector.linear_1}, its activation,
 * {@code linear_2}) and a Llama / Mistral / Qwen2 decoder ({@link LlamaMapper}). Both key layouts: the older
 * {@code vision_tower.…}, {@code multi_modal_projector.…}, {@code language_model.model.…}, {@code language_model.lm_head}
 * and the newer {@code model.vision_tower.…}, {@code model.multi_modal_projector.…}, {@code model.language_model.…},
 * {@code lm_head}. Sub-configs that leave keys out take Hugging Face's defaults (LlavaConfig, LlamaConfig…).
 * Other vision-language types, anyres tiling and feature strategies that are not 'default' or 'full' are refused in
 * one line rather than run as something else.
 */
public final class LlavaMapper {

    public static final String MODEL_TYPE = "llava";

    /** Vision-language model types that are not LLaVA, and why they are not run. */
    private static final Map<String, String> UNSUPPORTED = new LinkedHashMap<>();

    static {
        String anyres = "anyres tiling (image_grid_pinpoints) is not supported";
        UNSUPPORTED.put("llava_next", anyres);
        UNSUPPORTED.put("llava_next_video", anyres + ", nor video");
        UNSUPPORTED.put("llava_onevision", anyres);
        UNSUPPORTED.put("qwen2_vl", "Qwen2-VL's M-RoPE (multimodal rotary positions) and dynamic-resolution tower are not supported");
        UNSUPPORTED.put("qwen2_5_vl", "Qwen2.5-VL's M-RoPE (multimodal rotary positions) and windowed tower are not supported");
        UNSUPPORTED.put("mllama", "Mllama's cross-attention image layers are not supported");
        UNSUPPORTED.put("idefics2", "Idefics2's perceiver resampler and image splitting are not supported");
        UNSUPPORTED.put("idefics3", "Idefics3's pixel shuffle and image splitting are not supported");
        UNSUPPORTED.put("smolvlm", "SmolVLM's pixel shuffle and image splitting are not supported");
        UNSUPPORTED.put("paligemma", "PaliGemma's prefix-LM attention is not supported");
        UNSUPPORTED.put("gemma3", "Gemma 3's vision part (pan-and-scan, bidirectional image attention) is not supported");
        UNSUPPORTED.put("mistral3", "Mistral 3's Pixtral tower (2-D RoPE, patch merger) is not supported");
        UNSUPPORTED.put("pixtral", "Pixtral's 2-D RoPE tower is not supported");
    }

    private LlavaMapper() {
    }

    /** Whether config.json is a LLaVA; a one-line refusal for the other vision-language types we know. */
    public static boolean isLlava(Path configFile, JsonObject config) {
        String modelType = Json.optionalString(configFile, config, "model_type", "");
        String reason = UNSUPPORTED.get(modelType);
        if (reason != null) {
            throw HeadwiseException.inFile(configFile, "model_type '" + modelType + "': " + reason
                    + " (supported vision-language models: 'llava' with a CLIP or SigLIP tower, one image)");
        }
        return modelType.equals(MODEL_TYPE);
    }

    /** Reads the three parts of a LLaVA checkpoint; {@code source} stays open (the caller closes it). */
    public static LlavaCheckpoint load(Path configFile, JsonObject config, TensorSource source) {
        if (config.has("image_grid_pinpoints") && !config.get("image_grid_pinpoints").isJsonNull()) {
            throw HeadwiseException.inFile(configFile, "\"image_grid_pinpoints\": anyres tiling is not supported (one fixed-size image only)");
        }
        JsonObject visionConfig = visionConfig(configFile, config);
        ClipVisionMapper towerMapper = ClipVisionMapper.forType(configFile,
                Json.optionalString(configFile, visionConfig, "model_type", ClipVisionMapper.CLIP));
        ModelSpec towerSpec = towerMapper.spec(configFile, visionConfig);
        JsonObject textConfig = textConfig(configFile, config);
        WeightMapper textMapper = Families.forConfig(configFile, textConfig);
        ModelSpec textSpec = textMapper.spec(configFile, textConfig);
        if (textSpec.output() != ModelSpec.Output.LM_LOGITS) {
            throw HeadwiseException.inFile(configFile, "text_config: architecture " + textSpec.architecture() + " is not a causal LM");
        }

        int[] featureLayers = featureLayers(configFile, config, towerSpec.layers());
        boolean keepClassToken = keepsClassToken(configFile, config, towerSpec);
        int imageToken = Json.optionalInt(configFile, config, "image_token_index",
                Json.optionalInt(configFile, config, "image_token_id", 32000));
        if (imageToken < 0 || imageToken >= textSpec.vocabSize()) {
            throw HeadwiseException.inFile(configFile, "\"image_token_index\" " + imageToken + " is outside the text vocabulary (0.."
                    + (textSpec.vocabSize() - 1) + ")");
        }
        ModelSpec.Activation projectorActivation = Families.ungatedActivation(configFile, config, "projector_hidden_act",
                "gelu", "LLaVA's projector");
        boolean projectorBias = Json.optionalBoolean(configFile, config, "multimodal_projector_bias", true);

        boolean newLayout = source.names().stream().anyMatch(n -> n.startsWith("model.language_model.") || n.startsWith("model.vision_tower."));
        String top = newLayout ? "model." : "";
        ModelWeights towerWeights = towerMapper.weights(towerSpec, view(source, Map.of("", top + "vision_tower.")));
        Map<String, String> text = new LinkedHashMap<>();
        if (newLayout) {
            text.put("model.", "model.language_model.");
            text.put("lm_head.", "lm_head.");
        } else {
            text.put("", "language_model.");
        }
        ModelWeights textWeights = textMapper.weights(textSpec, view(source, text));
        CheckpointTensors projector = view(source, Map.of("", top + "multi_modal_projector."));
        int features = towerSpec.dModel() * featureLayers.length;
        int d = textSpec.dModel();
        return new LlavaCheckpoint(textSpec, textWeights, towerSpec, towerWeights,
                linear(projector, "linear_1", features, d, projectorBias),
                linear(projector, "linear_2", d, d, projectorBias),
                projectorActivation, featureLayers, keepClassToken, imageToken);
    }

    private static CheckpointTensors view(TensorSource source, Map<String, String> prefixes) {
        return new CheckpointTensors(new LlavaTensors(source, prefixes));
    }

    private static Linear linear(CheckpointTensors t, String name, int in, int out, boolean bias) {
        return new Linear(t.loadTransposed(name + ".weight", out, in), bias ? t.load(name + ".bias", out) : null);
    }

    /**
     * vision_feature_layer (default −2) as hidden-state indices 0..layers: a negative one counts from the end as
     * Python indexes Hugging Face's hidden_states tuple (−1 = the last layer's output, −2 = the one before); a list
     * picks several, concatenated.
     */
    static int[] featureLayers(Path configFile, JsonObject config, int layers) {
        JsonElement e = config.get("vision_feature_layer");
        if (e == null || e.isJsonNull()) {
            return new int[] {layers - 1};
        }
        var values = e.isJsonArray() ? e.getAsJsonArray() : null;
        int count = values == null ? 1 : values.size();
        if (count == 0) {
            throw HeadwiseException.inFile(configFile, "\"vision_feature_layer\" is an empty list");
        }
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            JsonElement v = values == null ? e : values.get(i);
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || v.getAsDouble() != Math.rint(v.getAsDouble())) {
                throw HeadwiseException.inFile(configFile, "\"vision_feature_layer\" must be an integer or a list of integers, is " + e);
            }
            int layer = v.getAsInt();
            int index = layer < 0 ? layers + 1 + layer : layer;
            if (index < 0 || index > layers) {
                throw HeadwiseException.inFile(configFile, "\"vision_feature_layer\" " + layer + " is outside the tower's hidden states (-"
                        + (layers + 1) + ".." + layers + " for " + layers + " layers)");
            }
            indices[i] = index;
        }
        return indices;
    }

    /** 'default' drops the CLS position, 'full' keeps it; a tower without CLS (SigLIP) needs 'full'. */
    private static boolean keepsClassToken(Path configFile, JsonObject config, ModelSpec tower) {
        String strategy = Json.optionalString(configFile, config, "vision_feature_select_strategy", "default");
        return switch (strategy) {
            case "full" -> true;
            case "default" -> {
                if (!tower.vision().classToken()) {
                    throw HeadwiseException.inFile(configFile, "\"vision_feature_select_strategy\" 'default' drops a CLS token, but the "
                            + tower.family() + " tower has none (use 'full')");
                }
                yield false;
            }
            default -> throw HeadwiseException.inFile(configFile, "\"vision_feature_select_strategy\" '" + strategy
                    + "' is not supported (only 'default' and 'full')");
        };
    }

    /** vision_config with LlavaConfig's default tower (CLIP ViT-L/14 at 336 px) when it is absent. */
    private static JsonObject visionConfig(Path configFile, JsonObject config) {
        JsonObject vision = object(configFile, config, "vision_config");
        if (vision != null) {
            return vision;
        }
        JsonObject defaults = new JsonObject();
        defaults.addProperty("model_type", ClipVisionMapper.CLIP);
        defaults.addProperty("hidden_size", 1024);
        defaults.addProperty("intermediate_size", 4096);
        defaults.addProperty("num_hidden_layers", 24);
        defaults.addProperty("num_attention_heads", 16);
        defaults.addProperty("image_size", 336);
        defaults.addProperty("patch_size", 14);
        return defaults;
    }

    /**
     * text_config with its config class's defaults for the keys it leaves out (llava-1.5's config gives little more
     * than the vocabulary), so the family mapper sees a complete config.
     */
    private static JsonObject textConfig(Path configFile, JsonObject config) {
        JsonObject given = object(configFile, config, "text_config");
        JsonObject text = given == null ? new JsonObject() : given.deepCopy();
        String type = Json.optionalString(configFile, text, "model_type", "llama");
        Map<String, Number> defaults = new LinkedHashMap<>();
        defaults.put("hidden_size", 4096);
        defaults.put("num_hidden_layers", 32);
        defaults.put("num_attention_heads", 32);
        switch (type) {
            case "llama" -> {
                defaults.put("intermediate_size", 11008);
                defaults.put("vocab_size", 32000);
            }
            case "mistral" -> {
                defaults.put("intermediate_size", 14336);
                defaults.put("num_key_value_heads", 8);
                defaults.put("vocab_size", 32000);
                defaults.put("sliding_window", 4096);
            }
            case "qwen2" -> {
                defaults.put("intermediate_size", 22016);
                defaults.put("vocab_size", 151936);
            }
            default -> throw HeadwiseException.inFile(configFile, "text_config: model_type '" + type
                    + "' is not supported for LLaVA (only llama, mistral and qwen2)");
        }
        text.addProperty("model_type", type);
        defaults.forEach((key, value) -> {
            if (!text.has(key) || text.get(key).isJsonNull()) {
                text.addProperty(key, value);
            }
        });
        return text;
    }

    private static JsonObject object(Path configFile, JsonObject config, String key) {
        return LlamaMapper.object(configFile, config, key);
    }
}
