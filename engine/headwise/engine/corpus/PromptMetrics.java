package headwise.engine.corpus;

import java.io.Serializable;

/**
 * What one prompt of a corpus run gives: {@code values[m][layer][head]} for metric m of {@link CorpusAnalysis#METRICS}
 * (NaN where a metric does not apply to the prompt, e.g. induction without a repeated token), and its token count.
 * {@code index} is the prompt's place in the corpus.
 */
public record PromptMetrics(int index, int tokens, double[][][] values) implements Serializable {
}
