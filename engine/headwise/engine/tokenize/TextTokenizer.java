package headwise.engine.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import headwise.engine.HeadwiseException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face tokenizer.json, run by the real tokenizers library (DJL's binding, offline).
 * Special tokens are added as the tokenizer's post-processor says; padding and truncation are off
 * (some tokenizer.json files, MiniLM's among them, pad and truncate to 128).
 */
public final class TextTokenizer implements Tokenizer {

    static {
        // never reach for the network: the natives are inside the jar
        System.setProperty("ai.djl.offline", "true");
    }

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer) {
        this.file = file;
        this.tokenizer = tokenizer;
    }

    public static TextTokenizer open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw HeadwiseException.inFile(file, "file not found (give token ids with --ids instead)");
        }
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optPadding(false)
                    .optTruncation(false)
                    .optAddSpecialTokens(true)
                    .build();
            return new TextTokenizer(file, tokenizer);
        } catch (Exception | UnsatisfiedLinkError e) {
            throw HeadwiseException.inFile(file, "cannot load tokenizer: " + oneLine(e), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Ids, token strings and character offsets [start, end) into {@code text}. */
    @Override
    public TokenizedText encode(String text) {
        Encoding encoding;
        try {
            encoding = tokenizer.encode(text, true, false);
        } catch (RuntimeException e) {
            throw HeadwiseException.inFile(file, "cannot tokenize the text: " + oneLine(e), e);
        }
        long[] ids = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        int[] intIds = new int[ids.length];
        int[][] offsets = new int[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            intIds[i] = Math.toIntExact(ids[i]);
            CharSpan span = spans[i];
            offsets[i] = span == null ? new int[] {0, 0} : new int[] {span.getStart(), span.getEnd()};
        }
        return new TokenizedText(text, intIds, encoding.getTokens(), offsets);
    }

    @Override
    public String decode(int[] ids) {
        long[] longIds = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longIds[i] = ids[i];
        }
        return tokenizer.decode(longIds, true);
    }

    @Override
    public String[] tokensOf(int[] ids) {
        String[] tokens = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            String piece = tokenizer.decode(new long[] {ids[i]}, false);
            tokens[i] = piece;
        }
        return tokens;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
