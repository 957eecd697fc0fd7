package headwise.engine.corpus;

import headwise.engine.analysis.AttentionStatistics;
import headwise.engine.analysis.HeadTypes;
import headwise.engine.analysis.Sinks;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.AttentionMaps;
import headwise.engine.run.BatchAnalyzer;
import headwise.engine.run.ModelInput;

import java.util.List;

/**
 * The per-prompt step of a corpus run: one forward with attention captured, then the per-head metrics of
 * metrics.json (the same engine analyses {@code analyze --metrics} uses) and the prompt's head-to-head distances,
 * added into an accumulator. Runs without Spark; the Spark job only calls {@link #addPrompt}.
 */
public final class CorpusAnalysis {

    /**
     * The per-head metrics, in the order of {@link PromptMetrics#values()}: metrics.json's entropy,
     * entropy_normalised, confidence, prev_token and mean_distance; first_token_sink = sink_score[l][h][0]; and the
     * TransformerLens duplicate-token and induction scores on the prompt's own tokens, only for prompts in which a
     * token repeats (else NaN: the detection pattern is empty).
     */
    public static final List<String> METRICS = List.of("entropy", "entropy_normalised", "confidence", "prev_token",
            "mean_distance", "first_token_sink", "duplicate_token", "induction");

    private CorpusAnalysis() {
    }

    /** Runs the prompt ({@code ids}, already checked) and adds its metrics and distances to {@code into}. */
    public static void addPrompt(LoadedModel model, int index, int[] ids, CorpusAccumulator into) {
        addPrompt(index, ids, Analyzer.analyze(model, ModelInput.fromIds(model, ids)), into);
    }

    /**
     * Runs many prompts in padded batches of similar lengths (BatchAnalyzer): what addPrompt on each would add. The
     * metrics read attention only, so the forwards compute no logits.
     */
    public static void addPrompts(LoadedModel model, int[] indices, int[][] ids, CorpusAccumulator into) {
        List<ModelInput> inputs = java.util.Arrays.stream(ids).map(p -> ModelInput.fromIds(model, p)).toList();
        BatchAnalyzer.analyzeEach(model.withoutLogits(), inputs, (result, i) -> addPrompt(indices[i], ids[i], result, into));
    }

    /** Adds an analysed prompt's metrics and distances to {@code into}. */
    public static void addPrompt(int index, int[] ids, AnalysisResult result, CorpusAccumulator into) {
        AttentionMaps a = result.attention();
        into.add(new PromptMetrics(index, ids.length, metrics(a, result.spec().causal(), ids)), HeadDistances.jensenShannon(a, result.spec().causal()),
                HeadAtlas.thumbnails(a));
    }

    /** [metric][layer][head] in {@link #METRICS} order. */
    public static double[][][] metrics(AttentionMaps a, boolean causal, int[] ids) {
        double[][][] sinks = Sinks.scores(a, causal);
        double[][] firstTokenSink = new double[a.layers()][a.heads()];
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.heads(); h++) {
                firstTokenSink[l][h] = sinks[l][h][0];
            }
        }
        boolean repeats = hasRepeat(ids);
        return new double[][][] {
            AttentionStatistics.entropy(a),
            AttentionStatistics.normalisedEntropy(a, causal),
            AttentionStatistics.confidence(a),
            AttentionStatistics.previousToken(a),
            AttentionStatistics.meanDistance(a),
            firstTokenSink,
            repeats ? HeadTypes.score(a, HeadTypes.duplicateTokenPattern(ids), false, false) : notApplicable(a),
            repeats ? HeadTypes.score(a, HeadTypes.inductionPattern(ids), false, false) : notApplicable(a),
        };
    }

    private static boolean hasRepeat(int[] ids) {
        return java.util.Arrays.stream(ids).distinct().count() < ids.length;
    }

    private static double[][] notApplicable(AttentionMaps a) {
        double[][] out = new double[a.layers()][a.heads()];
        for (double[] row : out) {
            java.util.Arrays.fill(row, Double.NaN);
        }
        return out;
    }
}
