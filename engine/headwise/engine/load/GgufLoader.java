package headwise.engine.load;

import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.family.CheckpointTensors;
import headwise.engine.family.Families;
import headwise.engine.family.GemmaMapper;
import headwise.engine.family.WeightMapper;
import headwise.engine.io.gguf.GgufConfig;
import headwise.engine.io.gguf.GgufFile;
import headwise.engine.io.gguf.GgufMetadata;
import headwise.engine.io.gguf.GgufTensorInfo;
import headwise.engine.io.gguf.GgufTensorNames;
import headwise.engine.io.gguf.GgufTensorSource;
import headwise.engine.io.gguf.GgufTokenizerJson;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Transformer;
import headwise.engine.run.MemoryBudget;
import headwise.engine.tokenize.TextTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
            Integer blocks = metadata.optionalInt(arch + ".block_count");
            if (blocks != null && blocks > gguf.tensors().size()) { // every block has tensors; the spec sizes per-layer arrays by it
                throw HeadwiseException.inFile(file, arch + ".block_count is " + blocks + " but the file holds only "
                        + gguf.tensors().size() + " tensors");
            }
            JsonObject config = GgufConfig.of(gguf, embedShape[0]);
            // llama.cpp's converter stores Gemma's norm weights as 1 + w: the mapper takes them as the gains they are
            WeightMapper mapper = arch.startsWith("gemma") ? new GemmaMapper(true) : Families.forConfig(file, config);
            ModelSpec spec = mapper.spec(file, config);
            ModelSpec.Rope rope = withFrequencyFactors(gguf, ropeAsStored(arch, spec), spec.dHead());
            spec = spec.withRope(rope, spec.architecture() + " (GGUF" + ropeNote(arch, spec) + ")");
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

    /**
     * llama.cpp's rope_freqs tensor (Llama-3.1/3.2 files): its converter turns the llama3 rope_scaling into one divisor
     * per rotated pair (1 for high frequencies, the factor for low ones, a blend between), which llama.cpp divides the
     * frequencies by. Used as given: the same frequencies as Hugging Face's llama3 scaling, to float rounding.
     */
    private static ModelSpec.Rope withFrequencyFactors(GgufFile gguf, ModelSpec.Rope rope, int dHead) {
        GgufTensorInfo info = gguf.tensors().get(GgufTensorNames.ROPE_FREQS);
        if (info == null || rope == null) {
            return rope;
        }
        int pairs = rope.rotated(dHead) / 2;
        if (info.dims().length != 1 || info.dims()[0] != pairs) {
            throw HeadwiseException.inFile(gguf.file(), "tensor 'rope_freqs.weight' should hold " + pairs
                    + " values (one per rotated pair of a head), holds " + info.elements());
        }
        if (rope.scaling() != null) {
            throw HeadwiseException.inFile(gguf.file(), "both 'rope_freqs.weight' and llama.rope.scaling.type '"
                    + rope.scaling().type() + "': only one RoPE scaling at a time is supported");
        }
        List<Double> factors = new ArrayList<>();
        for (float f : gguf.floats(info)) {
            if (!(f > 0) || Float.isInfinite(f)) {
                throw HeadwiseException.inFile(gguf.file(), "tensor 'rope_freqs.weight' holds " + f
                        + "; RoPE frequency factors must be positive and finite");
            }
            factors.add((double) f);
        }
        return new ModelSpec.Rope(rope.theta(), rope.layout(), ModelSpec.RopeScaling.ofFrequencyFactors(factors), rope.rotaryDims());
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
