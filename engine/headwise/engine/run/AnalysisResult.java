package headwise.engine.run;

import headwise.engine.model.ModelSpec;

/**
 * What one run gives the UI and the CLI, as plain arrays.
 *
 * @param output logits [T, vocab] for LMs, last hidden state [T, d] for bare encoders (see ModelSpec.Output)
 */
public record AnalysisResult(String modelName, ModelSpec spec, ModelInput input, AttentionMaps attention, Matrix output) {
}
