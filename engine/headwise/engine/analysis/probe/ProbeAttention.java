package headwise.engine.analysis.probe;

/**
 * The trained attentive probes' attention over the tokens of one example.
 *
 * @param example the example's 0-based index in the file
 * @param row     its row in the file (1-based)
 * @param tokens  [T] its tokens (the tokenizer's strings, or the ids when the model has no tokenizer)
 * @param weights [L][M][T] per block, each query's attention (rows sum to 1)
 */
public record ProbeAttention(int example, int row, String[] tokens, double[][][] weights) {
}
