package headwise.engine.tokenize;

/** Text to token ids and back; implemented by Hugging Face tokenizer.json files and llama2.c tokenizers. */
public interface Tokenizer extends AutoCloseable {

    /** Ids (special tokens as the tokenizer's post-processor adds them), token strings and character offsets. */
    TokenizedText encode(String text);

    /** The text of {@code ids}, special tokens skipped. */
    String decode(int[] ids);

    /** The token string of each id (for inputs given as ids). */
    String[] tokensOf(int[] ids);

    @Override
    void close();
}
