package headwise.engine.load;

import headwise.engine.HeadwiseException;
import headwise.engine.llama2c.Llama2cCheckpoint;
import headwise.engine.llama2c.Llama2cConfig;
import headwise.engine.llama2c.Llama2cTokenizer;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.ModelWeights;
import headwise.engine.model.Transformer;
import headwise.engine.run.MemoryBudget;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * llama2.c checkpoints (run.c format): a folder with the model .bin and, optionally, its tokenizer .bin.
 * The two are told apart by content, not name: the model is the .bin whose 28-byte header is plausible (and,
 * if several are, whose size is exactly what its header implies); the tokenizer is the .bin that parses as
 * exactly vocab_size tokens. Everything is validated before the weights are allocated.
 */
public final class Llama2cLoader {

    private Llama2cLoader() {
    }

    /** True when {@code folder} has no config.json and a .bin that starts with a plausible llama2.c header. */
    public static boolean isLlama2cFolder(Path folder) {
        return !Files.exists(folder.resolve("config.json")) && binFiles(folder).stream().anyMatch(Llama2cConfig::hasPlausibleHeader);
    }

    public static LoadedModel load(Path folder) {
        List<Path> bins = binFiles(folder);
        Path modelFile = modelFile(folder, bins);
        Llama2cConfig config = Llama2cConfig.read(modelFile);
        List<Path> others = new ArrayList<>(bins);
        others.remove(modelFile);
        Path tokenizerFile = tokenizerFile(folder, others, config.vocabSize());
        Llama2cTokenizer tokenizer = tokenizerFile == null ? null : Llama2cTokenizer.read(tokenizerFile, config.vocabSize());

        ModelSpec spec = Llama2cCheckpoint.spec(config);
        long largest = 4L * Math.max((long) config.vocabSize() * config.dim(), (long) config.dim() * config.hiddenDim());
        MemoryBudget.checkWeights(modelFile, 4 * config.expectedFloats(), largest);
        ModelWeights weights = Llama2cCheckpoint.read(modelFile, config);
        Path name = folder.toAbsolutePath().normalize().getFileName();
        // the tokenizer is already read and validated; it holds no native resources, so it is handed out as is
        return new LoadedModel(name == null ? folder.toString() : name.toString(), folder, new Transformer(spec, weights),
                tokenizerFile, file -> tokenizer);
    }

    private static Path modelFile(Path folder, List<Path> bins) {
        List<Path> plausible = bins.stream().filter(Llama2cConfig::hasPlausibleHeader).toList();
        if (plausible.size() == 1) {
            return plausible.get(0); // Llama2cConfig.read then says exactly what is wrong with it, if anything
        }
        if (plausible.isEmpty()) {
            throw HeadwiseException.inFile(folder, "no llama2.c checkpoint (.bin with a run.c header) and no config.json");
        }
        List<Path> exact = plausible.stream().filter(Llama2cConfig::isCheckpoint).toList();
        if (exact.size() == 1) {
            return exact.get(0);
        }
        throw HeadwiseException.inFile(folder, (exact.isEmpty() ? "no valid llama2.c checkpoint among " : "more than one llama2.c checkpoint: ")
                + names(exact.isEmpty() ? plausible : exact) + "; keep one model per folder");
    }

    /** The .bin that parses as the model's tokenizer; null when the folder has none (token ids only). */
    private static Path tokenizerFile(Path folder, List<Path> candidates, int vocabSize) {
        if (candidates.size() <= 1) {
            return candidates.isEmpty() ? null : candidates.get(0); // read() then reports what is wrong with it
        }
        List<Path> valid = candidates.stream().filter(f -> parses(f, vocabSize)).toList();
        if (valid.size() == 1) {
            return valid.get(0);
        }
        throw HeadwiseException.inFile(folder, (valid.isEmpty() ? "none of " + names(candidates) + " is a llama2.c tokenizer"
                : "more than one llama2.c tokenizer: " + names(valid)) + " for vocab_size " + vocabSize);
    }

    private static boolean parses(Path file, int vocabSize) {
        try {
            Llama2cTokenizer.read(file, vocabSize);
            return true;
        } catch (HeadwiseException e) {
            return false;
        }
    }

    private static List<Path> binFiles(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".bin") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw HeadwiseException.inFile(folder, "cannot list folder: " + e.getMessage());
        }
    }

    private static String names(List<Path> files) {
        return files.stream().map(f -> f.getFileName().toString()).collect(Collectors.joining(", "));
    }
}
