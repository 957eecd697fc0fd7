package headwise.engine.family;

import com.google.gson.JsonObject;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.LayerWeights;
import headwise.engine.model.ModelWeights.NormWeights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen3 (dense): Qwen2's layout and sliding-window rules without the q/k/v biases, an explicit head_dim, and an
 * RMSNorm on each head's q and k (self_attn.q_norm / k_norm, gains [head_dim]) before RoPE.
 */
public final class Qwen3Mapper implements WeightMapper {

    private final LlamaMapper llama = new LlamaMapper();

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        return llama.spec(configFile, config);
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        ModelWeights base = llama.weights(spec, t);
        String p = t.has("model.embed_tokens.weight") ? "model." : "";
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String a = p + "layers." + i + ".self_attn.";
            layers.add(base.layers().get(i).withHeadNorms(
                    new NormWeights(t.load(a + "q_norm.weight", spec.dHead()), null),
                    new NormWeights(t.load(a + "k_norm.weight", spec.dHead()), null)));
        }
        return new ModelWeights(base.tokenEmbed(), null, null, null, layers, base.finalNorm(), base.unembed(), null);
    }
}
