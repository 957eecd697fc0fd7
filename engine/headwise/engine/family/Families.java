package headwise.engine.family;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;
import headwise.engine.model.ModelSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The supported families, chosen by config.json's {@code model_type}. */
public final class Families {

    private static final Map<String, WeightMapper> BY_MODEL_TYPE = new LinkedHashMap<>();

    static {
        BY_MODEL_TYPE.put("gpt2", new Gpt2Mapper());
        BY_MODEL_TYPE.put("bert", new BertMapper());
        BY_MODEL_TYPE.put("llama", new LlamaMapper());
        BY_MODEL_TYPE.put("mistral", new LlamaMapper());
        BY_MODEL_TYPE.put("qwen2", new LlamaMapper());
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
        return mapper;
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
            case "silu", "swish" -> ModelSpec.Activation.SILU_GATED;
            default -> throw HeadwiseException.inFile(configFile, "\"" + key + "\" '" + name + "' is not supported");
        };
    }
}
