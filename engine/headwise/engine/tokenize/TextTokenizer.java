package headwise.engine.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;
import headwise.engine.json.StrictJson;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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

    /** The largest tokenizer.json files published (e.g. Gemma's) are ~35 MB. */
    static final long MAX_FILE_BYTES = 256L << 20;

    /** Special tokens as the post-processor says; no padding or truncation (some files pad and truncate to 128). */
    private static final Map<String, String> OPTIONS = Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false");

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
        return fromJson(file, read(file));
    }

    /**
     * A tokenizer.json given as text, e.g. one built from a GGUF file's metadata; {@code file} names it in messages.
     * The text is checked to be JSON that the native library's parser accepts: it aborts the JVM (a Rust panic across
     * JNI) instead of failing on some malformed files, e.g. a number out of range inside "decoder".
     */
    public static TextTokenizer fromJson(Path file, String json) {
        StrictJson.checkObject(file, json);
        TokenizerJsonCheck.check(file, Json.parseObject(file, json));
        try {
            // the checked text itself, not the file again: what was checked is what the native library reads
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), OPTIONS);
            return new TextTokenizer(file, tokenizer);
        } catch (Exception | UnsatisfiedLinkError e) {
            throw HeadwiseException.inFile(file, "cannot load tokenizer: " + oneLine(e), e);
        }
    }

    /** The file's text. */
    private static String read(Path file) {
        String json;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw HeadwiseException.inFile(file, "too large for a tokenizer.json (" + size + " bytes, at most " + MAX_FILE_BYTES + ")");
            }
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw HeadwiseException.inFile(file, "cannot load tokenizer: not UTF-8 text");
        } catch (IOException e) {
            throw HeadwiseException.inFile(file, "cannot read: " + e.getMessage());
        }
        return json;
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
            if (ids[i] < 0 || ids[i] > Integer.MAX_VALUE) { // the file's vocabulary may say anything up to 2^32 - 1
                throw HeadwiseException.inFile(file, "token id " + ids[i] + " is out of range (at most " + Integer.MAX_VALUE + ")");
            }
            intIds[i] = (int) ids[i];
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
