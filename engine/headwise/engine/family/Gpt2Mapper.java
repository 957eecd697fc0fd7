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

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * GPT-2: Conv1D weights already [in, out], q/k/v fused in c_attn, learned positions, pre-LayerNorm,
 * LM head tied to the token embedding unless {@code lm_head.weight} is present.
 * Names with or without the {@code transformer.} prefix (GPT2LMHeadModel vs GPT2Model).
 */
public final class Gpt2Mapper implements WeightMapper {

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        int d = Json.positiveInt(configFile, config, "n_embd", "hidden_size");
        int heads = Json.positiveInt(configFile, config, "n_head", "num_attention_heads");
        if (d % heads != 0) {
            throw HeadwiseException.inFile(configFile, "n_embd (" + d + ") is not a multiple of n_head (" + heads + ")");
        }
        int inner = Json.optionalInt(configFile, config, "n_inner", 4 * d);
        String activation = Json.optionalString(configFile, config, "activation_function", "gelu_new");
        return new ModelSpec("gpt2", Families.architecture(configFile, config),
                Json.positiveInt(configFile, config, "n_layer", "num_hidden_layers"),
                heads, heads, d, d / heads, inner,
                Json.positiveInt(configFile, config, "vocab_size"),
                Json.positiveInt(configFile, config, "n_positions", "max_position_embeddings"),
                true, ModelSpec.Norm.LAYER_NORM, false,
                Json.optionalDouble(configFile, config, "layer_norm_epsilon", 1e-5),
                Families.activation(configFile, "activation_function", activation),
                ModelSpec.Output.LM_LOGITS, null, 0, null);
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        String p = t.has("transformer.wte.weight") ? "transformer." : "";
        int d = spec.dModel();
        INDArray wte = t.load(p + "wte.weight", spec.vocabSize(), d);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String b = p + "h." + i + ".";
            INDArray qkv = t.load(b + "attn.c_attn.weight", d, 3L * d);
            INDArray qkvBias = t.load(b + "attn.c_attn.bias", 3L * d);
            layers.add(new LayerWeights(
                    norm(t, b + "ln_1", d),
                    new Linear(columns(qkv, 0, d), columns(qkvBias, 0, d)),
                    new Linear(columns(qkv, d, 2 * d), columns(qkvBias, d, 2 * d)),
                    new Linear(columns(qkv, 2 * d, 3 * d), columns(qkvBias, 2 * d, 3 * d)),
                    new Linear(t.load(b + "attn.c_proj.weight", d, d), t.load(b + "attn.c_proj.bias", d)),
                    norm(t, b + "ln_2", d),
                    new Linear(t.load(b + "mlp.c_fc.weight", d, spec.dMlp()), t.load(b + "mlp.c_fc.bias", spec.dMlp())),
                    null,
                    new Linear(t.load(b + "mlp.c_proj.weight", spec.dMlp(), d), t.load(b + "mlp.c_proj.bias", d))));
        }
        // an explicit lm_head.weight wins over tying (some conversions store it)
        INDArray unembed = t.has("lm_head.weight")
                ? t.loadTransposed("lm_head.weight", spec.vocabSize(), d)
                : wte.transpose().dup('c');
        return new ModelWeights(wte, t.load(p + "wpe.weight", spec.maxPositions(), d), null, null,
                layers, norm(t, p + "ln_f", d), new Linear(unembed, null), null);
    }

    private static NormWeights norm(CheckpointTensors t, String name, int d) {
        return new NormWeights(t.load(name + ".weight", d), t.load(name + ".bias", d));
    }

    /** Columns [from, to) of a fused [in, 3d] matrix (or of a fused [3d] bias). */
    private static INDArray columns(INDArray fused, long from, long to) {
        return fused.rank() == 1 ? fused.get(interval(from, to)).dup() : fused.get(all(), interval(from, to)).dup('c');
    }
}
