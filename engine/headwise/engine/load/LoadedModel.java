package headwise.engine.load;

import headwise.engine.HeadwiseException;
import headwise.engine.model.ModelSpec;
import headwise.engine.model.Transformer;
import headwise.engine.tokenize.TextTokenizer;

import java.nio.file.Path;

/** A model ready to run: its spec, the forward with its weights, and (lazily) its tokenizer. */
public final class LoadedModel implements AutoCloseable {

    private final String name;
    private final Path folder;
    private final Transformer transformer;
    private final Path tokenizerFile;
    private TextTokenizer tokenizer;

    LoadedModel(String name, Path folder, Transformer transformer, Path tokenizerFile) {
        this.name = name;
        this.folder = folder;
        this.transformer = transformer;
        this.tokenizerFile = tokenizerFile;
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

    public boolean hasTokenizer() {
        return tokenizerFile.toFile().isFile();
    }

    /** The tokenizer, opened on first use; a clear error if the folder has none. */
    public synchronized TextTokenizer tokenizer() {
        if (tokenizer == null) {
            if (!hasTokenizer()) {
                throw HeadwiseException.inFile(tokenizerFile, "file not found: this model has no tokenizer (give token ids with --ids instead)");
            }
            tokenizer = TextTokenizer.open(tokenizerFile);
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
