package headwise.engine.load;

import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.family.CheckpointBounds;
import headwise.engine.family.CheckpointTensors;
import headwise.engine.family.Families;
import headwise.engine.family.LlavaCheckpoint;
import headwise.engine.family.LlavaMapper;
import headwise.engine.image.PreprocessorConfig;
import headwise.engine.family.WeightMapper;
import headwise.engine.io.SafetensorsFile;
import headwise.engine.io.ShardedSafetensors;
import headwise.engine.io.TensorSource;
import headwise.engine.io.onnx.OnnxTensorSource;
import headwise.engine.json.Json;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Transformer;
import headwise.engine.run.MemoryBudget;
import headwise.engine.vlm.VisionLanguageModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Opens a model folder (Hugging Face layout), a GGUF file or a bundled model by name. */
public final class ModelLoader {

    private ModelLoader() {
    }

    /**
     * Starts ND4J's backend (its native libraries load, a few seconds on a first start) without loading a model, so a
     * caller can do it ahead, e.g. beside the window's start-up; loading a model does it anyway.
     */
    public static void startBackend() {
        org.nd4j.linalg.factory.Nd4j.scalar(0f);
    }

    /** @param model a folder, a .gguf file, or the name of a bundled model ({@link BundledModels}) */
    public static LoadedModel load(String model) {
        Optional<String> bundled = BundledModels.canonicalName(model);
        Path folder = bundled.flatMap(BundledModels::find).orElse(Path.of(model));
        if (bundled.isEmpty() && GgufLoader.isGguf(folder)) {
            return GgufLoader.load(folder);
        }
        if (!Files.isDirectory(folder)) {
            if (bundled.isPresent()) {
                throw new HeadwiseException(model + ": bundled model not found (build with 'mvn package' to unpack it)");
            }
            throw HeadwiseException.inFile(folder, "no such model folder (bundled models: " + String.join(", ", BundledModels.names()) + ")");
        }
        if (Llama2cLoader.isLlama2cFolder(folder)) {
            return Llama2cLoader.load(folder);
        }
        Path configFile = folder.resolve("config.json");
        JsonObject config = Json.readObject(configFile);
        String name = bundled.orElse(folder.getFileName().toString());
        if (LlavaMapper.isLlava(configFile, config)) {
            return loadLlava(name, folder, configFile, config);
        }
        WeightMapper mapper = Families.forConfig(configFile, config);
        ModelSpec spec;
        ModelWeights weights;
        try (TensorSource tensors = openTensors(folder)) {
            CheckpointBounds.check(configFile, config, tensors); // before the spec sizes anything by the config
            spec = mapper.spec(configFile, config);
            MemoryBudget.checkWeights(tensors);
            weights = mapper.weights(spec, new CheckpointTensors(tensors));
        }
        return new LoadedModel(name, folder, new Transformer(spec, weights), folder.resolve("tokenizer.json"));
    }

    /** A LLaVA folder: decoder, vision tower and projector from one checkpoint, images prepared for the tower. */
    private static LoadedModel loadLlava(String name, Path folder, Path configFile, JsonObject config) {
        LlavaCheckpoint checkpoint;
        try (TensorSource tensors = openTensors(folder)) {
            CheckpointBounds.check(configFile, config, tensors);
            MemoryBudget.checkWeights(tensors);
            checkpoint = LlavaMapper.load(configFile, config, tensors);
        }
        PreprocessorConfig preprocessor = PreprocessorConfig.read(folder, checkpoint.towerSpec());
        return new LoadedModel(name, folder, VisionLanguageModel.of(checkpoint, preprocessor), folder.resolve("tokenizer.json"));
    }

    /** model.safetensors, a sharded index, or an ONNX file; never a pickle. */
    static TensorSource openTensors(Path folder) {
        Path single = folder.resolve("model.safetensors");
        if (Files.exists(single)) {
            return SafetensorsFile.open(single);
        }
        Path index = folder.resolve("model.safetensors.index.json");
        if (Files.exists(index)) {
            return ShardedSafetensors.open(index);
        }
        List<Path> onnx = filesEndingWith(folder, ".onnx");
        if (onnx.size() == 1) {
            return OnnxTensorSource.open(onnx.get(0));
        }
        if (onnx.size() > 1) {
            throw HeadwiseException.inFile(folder, "more than one .onnx file; keep only the model's");
        }
        Path pickle = folder.resolve("pytorch_model.bin");
        if (Files.exists(pickle)) {
            throw HeadwiseException.inFile(pickle, "PyTorch pickle checkpoints are not loaded (unpickling can run code); "
                    + "convert the model to safetensors");
        }
        throw HeadwiseException.inFile(folder, "no weights: expected model.safetensors, model.safetensors.index.json or an .onnx file");
    }

    private static List<Path> filesEndingWith(Path folder, String suffix) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw HeadwiseException.inFile(folder, "cannot list folder: " + e.getMessage());
        }
    }
}
