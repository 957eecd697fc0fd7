package headwise.engine.load;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ForwardOptions;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.tokenize.TextTokenizer;
import headwise.engine.tokenize.Tokenizer;
import headwise.engine.vlm.VisionLanguageModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/** A model ready to run: its spec, the forward with its weights, and (lazily) its tokenizer. */
public final class LoadedModel implements AutoCloseable {

    private final String name;
    private final Path folder;
    private final Transformer transformer;
    private final Path tokenizerFile;
    private final Function<Path, Tokenizer> tokenizerOpener;
    private final VisionLanguageModel visionLanguage;
    private Tokenizer tokenizer;

    /** A model whose tokenizer is a Hugging Face tokenizer.json. */
    LoadedModel(String name, Path folder, Transformer transformer, Path tokenizerFile) {
        this(name, folder, transformer, tokenizerFile, TextTokenizer::open);
    }

    /** @param tokenizerOpener opens {@code tokenizerFile} on first use */
    public LoadedModel(String name, Path folder, Transformer transformer, Path tokenizerFile,
                       Function<Path, Tokenizer> tokenizerOpener) {
        this(name, folder, transformer, tokenizerFile, tokenizerOpener, null);
    }

    /** A vision-language model: {@code transformer} is its decoder ({@code visionLanguage.decoder()}). */
    LoadedModel(String name, Path folder, VisionLanguageModel visionLanguage, Path tokenizerFile) {
        this(name, folder, visionLanguage.decoder(), tokenizerFile, TextTokenizer::open, visionLanguage);
    }

    private LoadedModel(String name, Path folder, Transformer transformer, Path tokenizerFile,
                        Function<Path, Tokenizer> tokenizerOpener, VisionLanguageModel visionLanguage) {
        this.visionLanguage = visionLanguage;
        this.name = name;
        this.folder = folder;
        this.transformer = transformer;
        this.tokenizerFile = tokenizerFile;
        this.tokenizerOpener = tokenizerOpener;
    }

    public String name() {
        return name;
    }

    public Path folder() {
        return folder;
    }

    public ModelSpec spec() {
        return transformer.spec();
    }

    public Transformer transformer() {
        return transformer;
    }

    /** The same model (weights shared) running with {@code options}; it opens its own tokenizer when first asked. */
    public LoadedModel withOptions(ForwardOptions options) {
        if (visionLanguage != null) {
            VisionLanguageModel other = visionLanguage.withOptions(options);
            return new LoadedModel(name, folder, other.decoder(), tokenizerFile, tokenizerOpener, other);
        }
        return new LoadedModel(name, folder, transformer.withOptions(options), tokenizerFile, tokenizerOpener);
    }

    /**
     * The same model (weights shared) whose runs compute no logits ({@link Transformer#withoutLogits}): for callers
     * that read only attention or hooks. Not for vision-language models.
     */
    public LoadedModel withoutLogits() {
        if (visionLanguage != null) {
            throw new IllegalStateException(name + ": a vision-language model's runs always compute their logits");
        }
        return new LoadedModel(name, folder, transformer.withoutLogits(), tokenizerFile, tokenizerOpener);
    }

    /**
     * The vision-language model (LLaVA) this is the decoder of, or null for other models. Its text input goes
     * with one image; {@link #transformer()} and {@link #spec()} are the decoder's.
     */
    public VisionLanguageModel visionLanguage() {
        return visionLanguage;
    }

    public boolean hasTokenizer() {
        return tokenizerFile != null && Files.isRegularFile(tokenizerFile);
    }

    /** The tokenizer, opened on first use; a clear error if the folder has none. */
    public synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            if (!hasTokenizer() && Files.isRegularFile(folder)) { // a single-file model (GGUF) without tokenizer metadata
                throw HeadwiseException.inFile(folder, "this model file has no tokenizer (give token ids with --ids instead)");
            }
            if (!hasTokenizer()) {
                Path expected = tokenizerFile != null ? tokenizerFile : folder.resolve("tokenizer.json");
                throw HeadwiseException.inFile(expected, "file not found: this model has no tokenizer (give token ids with --ids instead)");
            }
            tokenizer = tokenizerOpener.apply(tokenizerFile);
        }
        return tokenizer;
    }

    @Override
    public synchronized void close() {
        if (tokenizer != null) {
            tokenizer.close();
            tokenizer = null;
        }
    }
}
