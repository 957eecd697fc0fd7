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
 * Phi-3 and Phi-4-mini: Llama's forward (RMSNorm, SwiGLU, grouped-query attention, a sliding window in every layer
 * when "sliding_window" is set) with q/k/v fused in self_attn.qkv_proj ([q; k; v] stacked), gate and up fused in
 * mlp.gate_up_proj ([gate; up]), and RoPE on the first partial_rotary_factor·head_dim channels of each head.
 * rope_scaling "longrope"/"su" is refused (by the shared RoPE reader).
 */
public final class Phi3Mapper implements WeightMapper {

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        ModelSpec llama = new LlamaMapper().spec(configFile, config);
        double factor = Json.optionalDouble(configFile, config, "partial_rotary_factor", 1.0);
        int rotary = (int) (llama.dHead() * factor); // Hugging Face truncates the same way
        if (!(factor > 0 && factor <= 1) || rotary == 0 || rotary % 2 != 0) {
            throw HeadwiseException.inFile(configFile, "\"partial_rotary_factor\": " + factor + " gives " + rotary
                    + " rotary channels of " + llama.dHead() + "; RoPE needs an even, positive number");
        }
        ModelSpec.Rope rope = llama.rope();
        return llama.withRope(new ModelSpec.Rope(rope.theta(), rope.layout(), rope.scaling(),
                rotary == llama.dHead() ? 0 : rotary), llama.architecture());
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        String p = t.has("model.embed_tokens.weight") ? "model." : "";
        int d = spec.dModel();
        int qWidth = spec.heads() * spec.dHead();
        int kvWidth = spec.kvHeads() * spec.dHead();
        int mlp = spec.dMlp();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String b = p + "layers." + i + ".";
            INDArray qkv = t.load(b + "self_attn.qkv_proj.weight", qWidth + 2L * kvWidth, d);
            INDArray gateUp = t.load(b + "mlp.gate_up_proj.weight", 2L * mlp, d);
            layers.add(new LayerWeights(
                    norm(t, b + "input_layernorm", d),
                    new Linear(FusedRows.rows(qkv, 0, qWidth), null),
                    new Linear(FusedRows.rows(qkv, qWidth, qWidth + kvWidth), null),
                    new Linear(FusedRows.rows(qkv, qWidth + kvWidth, qWidth + 2L * kvWidth), null),
                    new Linear(t.loadTransposed(b + "self_attn.o_proj.weight", d, qWidth), null),
                    norm(t, b + "post_attention_layernorm", d),
                    new Linear(FusedRows.rows(gateUp, mlp, 2L * mlp), null),
                    new Linear(FusedRows.rows(gateUp, 0, mlp), null),
                    new Linear(t.loadTransposed(b + "mlp.down_proj.weight", d, mlp), null)));
        }
        INDArray embed = t.load(p + "embed_tokens.weight", spec.vocabSize(), d);
        return new ModelWeights(embed, null, null, null, layers, norm(t, p + "norm", d),
                Families.lmHead(spec, t, "lm_head.weight", embed), null);
    }

    private static NormWeights norm(CheckpointTensors t, String name, int d) {
        return new NormWeights(t.load(name + ".weight", d), null);
    }
}
