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
 * OPT: names under {@code model.decoder.} (…ForCausalLM; {@code decoder.} for the bare OPTModel), Linear weights
 * [out, in] with biases, learned positions whose table starts 2 rows in (OPT's offset: position p is row p + 2),
 * ReLU, LayerNorm before each sub-block or after it as do_layer_norm_before says (opt-350m: after, and then no final
 * norm), and project_in/project_out between the embedding width word_embed_proj_dim and hidden_size when they differ.
 * The LM head is lm_head.weight or the tied token embedding.
 */
public final class OptMapper implements WeightMapper {

    /** OPTLearnedPositionalEmbedding's offset: its first two rows are never used by a full attention mask. */
    private static final int POSITION_OFFSET = 2;

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        int d = Json.positiveInt(configFile, config, "hidden_size");
        int heads = Families.headsDividing(configFile, config, d);
        if (!Json.optionalBoolean(configFile, config, "layer_norm_elementwise_affine", true)) {
            throw HeadwiseException.inFile(configFile, "\"layer_norm_elementwise_affine\": false is not supported");
        }
        ModelSpec.Activation activation = Families.ungatedActivation(configFile, config, "activation_function", "relu", "OPT");
        String family = "opt";
        return new ModelSpec(family, Families.architecture(configFile, config),
                Json.positiveInt(configFile, config, "num_hidden_layers"),
                heads, heads, d, d / heads,
                Json.positiveInt(configFile, config, "ffn_dim"),
                Json.positiveInt(configFile, config, "vocab_size"),
                Json.positiveInt(configFile, config, "max_position_embeddings"),
                true, ModelSpec.Norm.LAYER_NORM,
                !Json.optionalBoolean(configFile, config, "do_layer_norm_before", true),
                1e-5, // OPT's LayerNorms take PyTorch's default epsilon; the config has no key for it
                activation,
                Families.output(configFile, config, family),
                null, 0, null);
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        String p = t.has("model.decoder.embed_tokens.weight") ? "model.decoder." : "decoder.";
        int d = spec.dModel();
        int mlp = spec.dMlp();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String b = p + "layers." + i + ".";
            layers.add(new LayerWeights(
                    norm(t, b + "self_attn_layer_norm", d),
                    linear(t, b + "self_attn.q_proj", d, d),
                    linear(t, b + "self_attn.k_proj", d, d),
                    linear(t, b + "self_attn.v_proj", d, d),
                    linear(t, b + "self_attn.out_proj", d, d),
                    norm(t, b + "final_layer_norm", d),
                    linear(t, b + "fc1", d, mlp),
                    null,
                    linear(t, b + "fc2", mlp, d)));
        }
        String embedName = p + "embed_tokens.weight";
        long width = t.loadShapeColumns(embedName); // word_embed_proj_dim
        INDArray embed = t.load(embedName, spec.vocabSize(), width);
        INDArray positions = t.load(p + "embed_positions.weight", spec.maxPositions() + (long) POSITION_OFFSET, d)
                .get(interval(POSITION_OFFSET, spec.maxPositions() + POSITION_OFFSET), all()).dup('c');
        Linear projectIn = width == d ? null : linear(t, p + "project_in", (int) width, d);
        Linear projectOut = width == d ? null : linear(t, p + "project_out", d, (int) width);
        // pre-LN OPTs end with a final LayerNorm; post-LN ones (opt-350m) have none
        NormWeights finalNorm = spec.postNorm() ? null : norm(t, p + "final_layer_norm", d);
        return new ModelWeights(embed, positions, null, null, layers, finalNorm,
                Families.lmHead(spec, t, "lm_head.weight", embed), null, projectIn, projectOut);
    }

    /** A Linear [out, in] as [in, out] with its bias when stored (project_in/out have none; enable_bias false drops all). */
    private static Linear linear(CheckpointTensors t, String name, int in, int out) {
        return new Linear(t.loadTransposed(name + ".weight", out, in), t.loadOptional(name + ".bias", out));
    }

    private static NormWeights norm(CheckpointTensors t, String name, int d) {
        return new NormWeights(t.load(name + ".weight", d), t.load(name + ".bias", d));
    }
}
