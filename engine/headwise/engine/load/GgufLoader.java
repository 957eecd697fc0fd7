package headwise.engine.load;

import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.family.CheckpointTensors;
import headwise.engine.family.Families;
import headwise.engine.family.WeightMapper;
import headwise.engine.io.gguf.GgufConfig;
import headwise.engine.io.gguf.GgufFile;
import headwise.engine.io.gguf.GgufMetadata;
import headwise.engine.io.gguf.GgufTensorSource;
import headwise.engine.io.gguf.GgufTokenizerJson;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Transformer;
import headwise.engine.run.MemoryBudget;
import headwise.engine.tokenize.TextTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A .gguf file as a model: its metadata becomes the config.json of the matching Hugging Face family ({@link GgufConfig}),
 * its tensors that family's names ({@link GgufTensorSource}), so the family's own mapper builds it; its tokenizer is
 * built from the metadata ({@link GgufTokenizerJson}). Weights are decoded to F32 tensor by tensor, as safetensors are.
 */
public final class GgufLoader {

    private GgufLoader() {
    }

    /** A regular file named .gguf or starting with GGUF's magic. */
    public static boolean isGguf(Path path) {
        return Files.isRegularFile(path) && (path.getFileName() != null
                && path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") || GgufFile.hasMagic(path));
    }

    public static LoadedModel load(Path file) {
        GgufFile gguf = GgufFile.open(file);
        GgufTensorSource source;
        try {
            source = GgufTensorSource.of(gguf, GgufConfig.architecture(gguf));
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
        Transformer transformer;
        GgufMetadata metadata = gguf.metadata();
        try (GgufTensorSource tensors = source) {
            String arch = GgufConfig.architecture(gguf);
            String embedding = arch.equals("gpt2") ? "wte.weight" : "model.embed_tokens.weight";
            long[] embedShape = tensors.shape(embedding);
            if (embedShape == null || embedShape.length != 2) {
                throw HeadwiseException.inFile(file, "no token embedding matrix 'token_embd.weight'");
            }
            JsonObject config = GgufConfig.of(gguf, embedShape[0]);
            WeightMapper mapper = Families.forConfig(file, config);
            ModelSpec spec = mapper.spec(file, config);
            spec = spec.withRope(ropeAsStored(arch, spec), spec.architecture() + " (GGUF" + ropeNote(arch, spec) + ")");
            MemoryBudget.checkWeights(tensors);
            ModelWeights weights = mapper.weights(spec, new CheckpointTensors(tensors));
            transformer = new Transformer(spec, weights);
        }
        Path name = file.toAbsolutePath().normalize().getFileName();
        if (!GgufTokenizerJson.present(metadata)) {
            return new LoadedModel(name.toString(), file, transformer, null, f -> null);
        }
        // the tokenizer.json is built when first needed, from the metadata already read
        return new LoadedModel(name.toString(), file, transformer, file,
                f -> TextTokenizer.fromJson(f, GgufTokenizerJson.build(f, metadata)));
    }

    /**
     * llama.cpp's converter permutes the q and k rows of 'llama' models so that RoPE rotates adjacent pairs (Meta's
     * layout); they are used as stored, with that RoPE: attention is the same, q and k list each head's dimensions in
     * the permuted order. Every other architecture keeps Hugging Face's rotate-half layout.
     */
    private static ModelSpec.Rope ropeAsStored(String arch, ModelSpec spec) {
        if (!arch.equals("llama") || spec.rope() == null) {
            return spec.rope();
        }
        return new ModelSpec.Rope(spec.rope().theta(), ModelSpec.RopeLayout.ADJACENT_PAIRS, spec.rope().scaling());
    }

    private static String ropeNote(String arch, ModelSpec spec) {
        if (spec.rope() == null) {
            return "";
        }
        return arch.equals("llama") ? ", RoPE on adjacent pairs" : ", RoPE on halves";
    }

    /** tokenizer.ggml.eos_token_id (and EOT when the file names one), for generation to stop at. */
    public static int[] stopIds(Path file) {
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufMetadata m = gguf.metadata();
            Integer eos = m.optionalInt("tokenizer.ggml.eos_token_id");
            Integer eot = m.optionalInt("tokenizer.ggml.eot_token_id");
            if (eos == null) {
                return eot == null ? new int[0] : new int[] {eot};
            }
            return eot == null || eot.equals(eos) ? new int[] {eos} : new int[] {eos, eot};
        }
    }
}
