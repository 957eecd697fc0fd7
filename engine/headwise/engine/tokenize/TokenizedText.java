package headwise.engine.tokenize;

/** Output of a tokenizer: ids, their token strings, and [start, end) character offsets into {@code text}. */
public record TokenizedText(String text, int[] ids, String[] tokens, int[][] offsets) {
}
