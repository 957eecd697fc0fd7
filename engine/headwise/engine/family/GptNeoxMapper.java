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
 * GPT-NeoX and Pythia: one attention.query_key_value Linear whose rows are grouped per head (heads × [q; k; v]),
 * rotate-half RoPE on the first rotary_pct·head_dim channels (base rotary_emb_base, newer configs rope_theta),
 * LayerNorm with bias, biases on every Linear, the MLP's activation from hidden_act (Pythia: exact GELU), a parallel
 * residual when use_parallel_residual (the default), and an untied embed_out. Names under {@code gpt_neox.}
 * (…ForCausalLM) or without it (the bare GPTNeoXModel).
 */
public final class GptNeoxMapper implements WeightMapper {

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        int d = Json.positiveInt(configFile, config, "hidden_size");
        int heads = Families.headsDividing(configFile, config, d);
        int dHead = d / heads;
        double pct = Json.optionalDouble(configFile, config, "rotary_pct", 0.25);
        int rotary = (int) (dHead * pct); // Hugging Face truncates the same way
        if (!(pct > 0 && pct <= 1) || rotary == 0 || rotary % 2 != 0) {
            throw HeadwiseException.inFile(configFile, "\"rotary_pct\": " + pct + " gives " + rotary + " rotary channels of "
                    + dHead + "; RoPE needs an even, positive number");
        }
        Families.refuseRopeScaling(configFile, config);
        double theta = Json.optionalDouble(configFile, config, "rope_theta",
                Json.optionalDouble(configFile, config, "rotary_emb_base", 10000));
        ModelSpec.Activation activation = Families.ungatedActivation(configFile, config, "hidden_act", "gelu", "GPT-NeoX");
        String family = "gpt_neox";
        return new ModelSpec(family, Families.architecture(configFile, config),
                Json.positiveInt(configFile, config, "num_hidden_layers"),
                heads, heads, d, dHead,
                Json.positiveInt(configFile, config, "intermediate_size"),
                Json.positiveInt(configFile, config, "vocab_size"),
                0, true, ModelSpec.Norm.LAYER_NORM, false,
                Json.optionalDouble(configFile, config, "layer_norm_eps", 1e-5),
                activation,
                Families.output(configFile, config, family),
                new ModelSpec.Rope(theta, ModelSpec.RopeLayout.ROTATE_HALF, null, rotary == dHead ? 0 : rotary),
                0, null,
                ModelSpec.Variant.STANDARD.withParallelResidual(
                        Json.optionalBoolean(configFile, config, "use_parallel_residual", true)));
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        String p = t.has("gpt_neox.embed_in.weight") ? "gpt_neox." : "";
        int d = spec.dModel();
        int heads = spec.heads();
        int dHead = spec.dHead();
        int mlp = spec.dMlp();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String b = p + "layers." + i + ".";
            INDArray qkv = t.load(b + "attention.query_key_value.weight", 3L * d, d);
            INDArray qkvBias = t.loadOptional(b + "attention.query_key_value.bias", 3L * d);
            Linear[] qkvParts = new Linear[3];
            for (int part = 0; part < 3; part++) {
                qkvParts[part] = new Linear(FusedRows.perHead(qkv, heads, dHead, part, 3),
                        qkvBias == null ? null : FusedRows.perHead(qkvBias, heads, dHead, part, 3));
            }
            layers.add(new LayerWeights(
                    norm(t, b + "input_layernorm", d),
                    qkvParts[0], qkvParts[1], qkvParts[2],
                    linear(t, b + "attention.dense", d, d),
                    norm(t, b + "post_attention_layernorm", d),
                    linear(t, b + "mlp.dense_h_to_4h", d, mlp),
                    null,
                    linear(t, b + "mlp.dense_4h_to_h", mlp, d)));
        }
        INDArray embed = t.load(p + "embed_in.weight", spec.vocabSize(), d);
        return new ModelWeights(embed, null, null, null, layers, norm(t, p + "final_layer_norm", d),
                Families.lmHead(spec, t, "embed_out.weight", embed), null);
    }

    /** A Linear [out, in] as [in, out], its bias when stored (config attention_bias false drops the attention's). */
    private static Linear linear(CheckpointTensors t, String name, int in, int out) {
        return new Linear(t.loadTransposed(name + ".weight", out, in), t.loadOptional(name + ".bias", out));
    }

    private static NormWeights norm(CheckpointTensors t, String name, int d) {
        return new NormWeights(t.load(name + ".weight", d), t.load(name + ".bias", d));
    }
}
