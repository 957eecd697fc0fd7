package headwise.engine.family;

import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.ModelWeights.LayerWeights;
import headwise.engine.model.ModelWeights.Linear;
import headwise.engine.model.ModelWeights.NormWeights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * BERT (and MiniLM): Linear weights [out, in], learned positions plus token type 0, LayerNorm after the
 * embeddings and after each sub-block (post-norm), bidirectional attention. Output: the last hidden state.
 * Names with or without the {@code bert.} prefix, LayerNorm as weight/bias or the old gamma/beta.
 */
public final class BertMapper implements WeightMapper {

    @Override
    public ModelSpec spec(Path configFile, JsonObject config) {
        int d = Json.positiveInt(configFile, config, "hidden_size");
        int heads = Families.headsDividing(configFile, config, d);
        String positions = Json.optionalString(configFile, config, "position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw HeadwiseException.inFile(configFile, "position_embedding_type '" + positions + "' is not supported (only 'absolute')");
        }
        return new ModelSpec("bert", Families.architecture(configFile, config),
                Json.positiveInt(configFile, config, "num_hidden_layers"),
                heads, heads, d, d / heads,
                Json.positiveInt(configFile, config, "intermediate_size"),
                Json.positiveInt(configFile, config, "vocab_size"),
                Json.positiveInt(configFile, config, "max_position_embeddings"),
                false, ModelSpec.Norm.LAYER_NORM, true,
                Json.optionalDouble(configFile, config, "layer_norm_eps", 1e-12),
                Families.activation(configFile, "hidden_act", Json.optionalString(configFile, config, "hidden_act", "gelu")),
                ModelSpec.Output.HIDDEN_STATE, null, 0, null);
    }

    @Override
    public ModelWeights weights(ModelSpec spec, CheckpointTensors t) {
        String p = t.has("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        int d = spec.dModel();
        int mlp = spec.dMlp();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            String b = p + "encoder.layer." + i + ".";
            layers.add(new LayerWeights(
                    norm(t, b + "attention.output.LayerNorm", d),
                    linear(t, b + "attention.self.query", d, d),
                    linear(t, b + "attention.self.key", d, d),
                    linear(t, b + "attention.self.value", d, d),
                    linear(t, b + "attention.output.dense", d, d),
                    norm(t, b + "output.LayerNorm", d),
                    linear(t, b + "intermediate.dense", d, mlp),
                    null,
                    linear(t, b + "output.dense", mlp, d)));
        }
        String e = p + "embeddings.";
        long types = t.has(e + "token_type_embeddings.weight") ? t.loadShapeRows(e + "token_type_embeddings.weight") : 0;
        return new ModelWeights(
                t.load(e + "word_embeddings.weight", spec.vocabSize(), d),
                t.load(e + "position_embeddings.weight", spec.maxPositions(), d),
                types > 0 ? t.load(e + "token_type_embeddings.weight", types, d) : null,
                norm(t, e + "LayerNorm", d),
                layers, null, null, null);
    }

    private static Linear linear(CheckpointTensors t, String name, int in, int out) {
        return new Linear(t.loadTransposed(name + ".weight", out, in), t.load(name + ".bias", out));
    }

    /** Post-2019 checkpoints say weight/bias; the original TF conversions say gamma/beta. */
    private static NormWeights norm(CheckpointTensors t, String name, int d) {
        boolean old = !t.has(name + ".weight") && t.has(name + ".gamma");
        return new NormWeights(t.load(name + (old ? ".gamma" : ".weight"), d), t.load(name + (old ? ".beta" : ".bias"), d));
    }
}
