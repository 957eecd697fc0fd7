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
import headwise.engine.model.ModelWeights.VisionWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ViT and DeiT (Hugging Face layout): Linear weights [out, in], pre-LayerNorm, bidirectional attention, GELU.
 * The image enters through a P×P patch convolution, mapped here onto a Linear over flattened patches.
 * ...ForImageClassification reads a classifier off CLS; DeiT's ...WithTeacher averages it with a second head on
 * the distillation token; any other architecture (ViTModel, DeiTModel, ...) is a bare encoder whose output is
 * the last hidden state after the final layernorm. Names with the {@code vit.}/{@code deit.} prefix or without.
 */
public final class VitMapper implements WeightMapper {

    private static final String TEACHER = "ForImageClassificationWithTeacher";
    private static final String CLASSIFIER = "ForImageClassification";

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        String modelType = Json.optionalString(configFile, config, "model_type", "vit");
        int d = Json.positiveInt(configFile, config, "hidden_size");
        int heads = Families.headsDividing(configFile, config, d);
        int imageSize = Json.positiveInt(configFile, config, "image_size");
        int patchSize = Json.positiveInt(configFile, config, "patch_size");
        if (imageSize % patchSize != 0) {
            throw HeadwiseException.inFile(configFile, "image_size (" + imageSize + ") is not a multiple of patch_size (" + patchSize + ")");
        }
        int channels = Json.optionalInt(configFile, config, "num_channels", 3);
        if (channels <= 0) {
            throw HeadwiseException.inFile(configFile, "\"num_channels\" must be positive, is " + channels);
        }
        ModelSpec.Activation activation = Families.activation(configFile, "hidden_act",
                Json.optionalString(configFile, config, "hidden_act", "gelu"));
        if (activation == ModelSpec.Activation.SILU_GATED) {
            throw HeadwiseException.inFile(configFile, "\"hidden_act\" silu is not supported for ViT (its MLP is not gated)");
        }
        // every DeiT carries the distillation token, with or without the teacher head
        ModelSpec.Vision vision = new ModelSpec.Vision(imageSize, patchSize, channels, modelType.equals("deit"));
        String architecture = Families.architecture(configFile, config);
        boolean classifier = architecture.endsWith(CLASSIFIER) || architecture.endsWith(TEACHER);
        return new ModelSpec(modelType, architecture,
                Json.positiveInt(configFile, config, "num_hidden_layers"),
                heads, heads, d, d / heads,
                Json.positiveInt(configFile, config, "intermediate_size"),
                // classifiers: the class count; bare encoders: the token count, so the placeholder ids are in range
                classifier ? classes(configFile, config) : vision.tokens(),
                vision.tokens(),
                false, ModelSpec.Norm.LAYER_NORM, false,
                Json.optionalDouble(configFile, config, "layer_norm_eps", 1e-12),
                activation,
                classifier ? ModelSpec.Output.CLASS_LOGITS : ModelSpec.Output.HIDDEN_STATE,
                null, 0, vision);
    }

    /** id2label's size, else num_labels, else Hugging Face's default of 2. */
    private static int classes(Path configFile, JsonObject config) {
        JsonElement labels = config.get("id2label");
        if (labels != null && labels.isJsonObject() && !labels.getAsJsonObject().isEmpty()) {
            return labels.getAsJsonObject().size();
        }
        return config.has("num_labels") ? Json.positiveInt(configFile, config, "num_labels") : 2;
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        String p = t.has("vit.embeddings.cls_token") ? "vit." : t.has("deit.embeddings.cls_token") ? "deit." : "";
        int d = spec.dModel();
        int mlp = spec.dMlp();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String b = p + "encoder.layer." + i + ".";
            layers.add(new LayerWeights(
                    norm(t, b + "layernorm_before", d),
                    linear(t, b + "attention.attention.query", d, d),
                    linear(t, b + "attention.attention.key", d, d),
                    linear(t, b + "attention.attention.value", d, d),
                    linear(t, b + "attention.output.dense", d, d),
                    norm(t, b + "layernorm_after", d),
                    linear(t, b + "intermediate.dense", d, mlp),
                    null,
                    linear(t, b + "output.dense", mlp, d)));
        }
        Linear head = null;
        Linear distillationHead = null;
        if (spec.output() == ModelSpec.Output.CLASS_LOGITS) {
            boolean teacher = spec.architecture().endsWith(TEACHER);
            head = linear(t, teacher ? "cls_classifier" : "classifier", d, spec.vocabSize());
            distillationHead = teacher ? linear(t, "distillation_classifier", d, spec.vocabSize()) : null;
        }
        return new ModelWeights(null, null, null, null, layers, norm(t, p + "layernorm", d), head,
                vision(spec, t, p + "embeddings.", distillationHead));
    }

    private static VisionWeights vision(ModelSpec spec, CheckpointTensors t, String e, Linear distillationHead) {
        ModelSpec.Vision v = spec.vision();
        int d = spec.dModel();
        int patch = v.patchSize();
        // conv weight [d, C, P, P] flattened per output channel in (c, y, x) order, transposed to [C·P·P, d]
        INDArray conv = t.load(e + "patch_embeddings.projection.weight", d, v.channels(), patch, patch);
        Linear patchEmbed = new Linear(conv.reshape(d, (long) v.channels() * patch * patch).transpose().dup('c'),
                t.load(e + "patch_embeddings.projection.bias", d));
        INDArray distillationToken = v.distillationToken() ? t.load(e + "distillation_token", 1, 1, d).reshape(d) : null;
        return new VisionWeights(patchEmbed,
                t.load(e + "cls_token", 1, 1, d).reshape(d),
                distillationToken,
                t.load(e + "position_embeddings", 1, v.tokens(), d).reshape(v.tokens(), d),
                distillationHead);
    }

    /** q/k/v have no bias when config.json says qkv_bias false. */
    private static Linear linear(CheckpointTensors t, String name, int in, int out) {
        return new Linear(t.loadTransposed(name + ".weight", out, in), t.loadOptional(name + ".bias", out));
    }

    private static NormWeights norm(CheckpointTensors t, String name, int d) {
        return new NormWeights(t.load(name + ".weight", d), t.load(name + ".bias", d));
    }
}
