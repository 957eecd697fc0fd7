package headwise.engine.io.gguf;

import headwise.engine.HeadwiseException;

import java.nio.file.Path;

/** A GGUF tokenizer's tokens (tokenizer.ggml.tokens) and their llama.cpp token types (tokenizer.ggml.token_type). */
final class GgufVocabulary {

    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int BYTE = 6;

    private final Path file;
    final String[] tokens;
    private final int[] types;

    GgufVocabulary(Path file, GgufMetadata m) {
        this.file = file;
        GgufArray tokenArray = m.optionalArray("tokenizer.ggml.tokens");
        if (tokenArray == null || !tokenArray.isStrings() || tokenArray.size() == 0) {
            throw HeadwiseException.inFile(file, "GGUF metadata 'tokenizer.ggml.tokens' should be a non-empty array of strings");
        }
        tokens = tokenArray.strings();
        types = new int[tokens.length];
        GgufArray typeArray = m.optionalArray("tokenizer.ggml.token_type");
        if (typeArray != null) {
            if (typeArray.size() != tokens.length || !typeArray.isNumeric()) {
                throw HeadwiseException.inFile(file, "GGUF metadata 'tokenizer.ggml.token_type' should have one number per token");
            }
            for (int i = 0; i < tokens.length; i++) {
                types[i] = (int) typeArray.getFloat(i);
            }
        }
    }

    int size() {
        return tokens.length;
    }

    int type(int id) {
        return types[id];
    }

    /** Token {@code id}, which the metadata key {@code what} named: it must exist. */
    String token(int id, String what) {
        if (id >= tokens.length) {
            throw HeadwiseException.inFile(file, "GGUF tokenizer " + what + " " + id + " is not below the vocabulary size " + tokens.length);
        }
        return tokens[id];
    }

    /** An ordinary piece of text (not a control, unknown, byte or user-defined token). */
    boolean isNormal(int id) {
        int type = types[id];
        return type != CONTROL && type != UNKNOWN && type != BYTE && type != USER_DEFINED && !tokens[id].isEmpty();
    }
}
