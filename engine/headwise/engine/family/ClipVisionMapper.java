package headwise.engine.family;

import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.LayerWeights;
import headwise.engine.model.ModelWeights.Linear;
import headwise.engine.model.ModelWeights.NormWeights;
import headwise.engine.model.ModelWeights.VisionWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The vision towers of vision-language models, in Hugging Face's layout under {@code vision_model.}:
 * CLIP ({@code clip_vision_model}: patch convolution without bias, a class embedding, learned positions,
 * {@code pre_layrnorm}, pre-LN blocks with biased q/k/v/out, quick GELU) and SigLIP ({@code siglip_vision_model}:
 * patch convolution with bias, no CLS, no pre-norm, tanh GELU). Both end in a {@code post_layernorm} that LLaVA's
 * features never pass through (it reads the hidden states), so the tower's output is its last hidden state as is.
 * Keys config.json leaves out take the config class's defaults (CLIPVisionConfig, SiglipVisionConfig).
 */
public final class ClipVisionMapper implements WeightMapper {

    public static final String CLIP = "clip_vision_model";
    public static final String SIGLIP = "siglip_vision_model";

    private final boolean siglip;

    public ClipVisionMapper(boolean siglip) {
        this.siglip = siglip;
    }

    /** The mapper of a vision_config's model_type, or a one-line refusal naming it. */
    public static ClipVisionMapper forType(Path configFile, String modelType) {
        return switch (modelType) {
            case CLIP -> new ClipVisionMapper(false);
            case SIGLIP -> new ClipVisionMapper(true);
            default -> throw HeadwiseException.inFile(configFile, "vision_config: model_type '" + modelType
                    + "' is not supported (only " + CLIP + " and " + SIGLIP + ")");
        };
    }

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        int d = Json.optionalInt(configFile, config, "hidden_size", 768);
        int layers = Json.optionalInt(configFile, config, "num_hidden_layers", 12);
        int heads = Json.optionalInt(configFile, config, "num_attention_heads", 12);
        int mlp = Json.optionalInt(configFile, config, "intermediate_size", 3072);
        int imageSize = Json.optionalInt(configFile, config, "image_size", 224);
        int patchSize = Json.optionalInt(configFile, config, "patch_size", siglip ? 16 : 32);
        int channels = Json.optionalInt(configFile, config, "num_channels", 3);
        for (int value : new int[] {d, layers, heads, mlp, imageSize, patchSize, channels}) {
            if (value <= 0) {
                throw HeadwiseException.inFile(configFile, "vision_config: sizes must be positive (hidden_size "
                        + d + ", layers " + layers + ", heads " + heads + ", intermediate " + mlp + ", image " + imageSize
                        + ", patch " + patchSize + ", channels " + channels + ")");
            }
        }
        if (d % heads != 0) {
            throw HeadwiseException.inFile(configFile, "vision_config: hidden_size (" + d + ") is not a multiple of num_attention_heads (" + heads + ")");
        }
        if (imageSize % patchSize != 0) {
            throw HeadwiseException.inFile(configFile, "vision_config: image_size (" + imageSize + ") is not a multiple of patch_size (" + patchSize + ")");
        }
        ModelSpec.Activation activation = Families.activation(configFile, "vision_config.hidden_act",
                Json.optionalString(configFile, config, "hidden_act", siglip ? "gelu_pytorch_tanh" : "quick_gelu"));
        if (activation.gated()) {
            throw HeadwiseException.inFile(configFile, "vision_config: \"hidden_act\" " + activation + " is not supported (the tower's MLP is not gated)");
        }
        ModelSpec.Vision vision = new ModelSpec.Vision(imageSize, patchSize, channels, false, !siglip);
        return new ModelSpec(siglip ? SIGLIP : CLIP, siglip ? "SiglipVisionModel" : "CLIPVisionModel",
                layers, heads, heads, d, d / heads, mlp,
                vision.tokens(), // no vocabulary: the token count, so placeholder ids are in range
                vision.tokens(),
                false, ModelSpec.Norm.LAYER_NORM, false,
                Json.optionalDouble(configFile, config, "layer_norm_eps", siglip ? 1e-6 : 1e-5),
                activation, ModelSpec.Output.HIDDEN_STATE, null, 0, vision);
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        int d = spec.dModel();
        int mlp = spec.dMlp();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String b = "vision_model.encoder.layers." + i + ".";
            layers.add(new LayerWeights(
                    norm(t, b + "layer_norm1", d),
                    linear(t, b + "self_attn.q_proj", d, d),
                    linear(t, b + "self_attn.k_proj", d, d),
                    linear(t, b + "self_attn.v_proj", d, d),
                    linear(t, b + "self_attn.out_proj", d, d),
                    norm(t, b + "layer_norm2", d),
                    linear(t, b + "mlp.fc1", d, mlp),
                    null,
                    linear(t, b + "mlp.fc2", mlp, d)));
        }
        return new ModelWeights(null, null, null, null, layers, null, null, vision(spec, t));
    }

    private VisionWeights vision(ModelSpec spec, CheckpointTensors t) {
        ModelSpec.Vision v = spec.vision();
        int d = spec.dModel();
        int patch = v.patchSize();
        String e = "vision_model.embeddings.";
        // conv weight [d, C, P, P] flattened per output channel in (c, y, x) order, transposed to [C·P·P, d]
        INDArray conv = t.load(e + "patch_embedding.weight", d, v.channels(), patch, patch);
        Linear patchEmbed = new Linear(conv.reshape(d, (long) v.channels() * patch * patch).transpose().dup('c'),
                siglip ? t.load(e + "patch_embedding.bias", d) : null);
        INDArray cls = siglip ? null : t.load(e + "class_embedding", d);
        INDArray positions = t.load(e + "position_embedding.weight", v.tokens(), d);
        NormWeights preNorm = siglip ? null : norm(t, "vision_model.pre_layrnorm", d);
        return new VisionWeights(patchEmbed, cls, null, positions, null, preNorm);
    }

    private static Linear linear(CheckpointTensors t, String name, int in, int out) {
        return new Linear(t.loadTransposed(name + ".weight", out, in), t.load(name + ".bias", out));
    }

    private static NormWeights norm(CheckpointTensors t, String name, int d) {
        return new NormWeights(t.load(name + ".weight", d), t.load(name + ".bias", d));
    }
}
