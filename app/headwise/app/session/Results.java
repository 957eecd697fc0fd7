package headwise.app.session;

import headwise.engine.analysis.relevance.Faithfulness;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.analysis.importance.AblationScores;
import headwise.engine.analysis.importance.GradientScores;
import headwise.engine.run.AnalysisResult;
import headwise.viz.view.ModelThumbnails;

import java.util.List;
import java.util.Map;

/**
 * One analysed run and whatever has been computed on it, immutable: a part computed later gives a new bundle. Only
 * {@code result} is required; a view whose data is missing says so. No view choices (those are a {@link Selection}).
 *
 * @param result     the run: attention, tokens, output
 * @param metrics    {@code MetricsReport.compute(model, result)} (metrics.json's map), or null
 * @param ablation   head ablation scores, or null
 * @param gradient   gradient head importance, or null
 * @param flow       the information-flow graph, or null
 * @param comparison a second run to compare with (another input, another model, or the run without the
 *                   interventions), or null
 * @param thumbnails the model view's tiles of {@code result} ({@link ModelThumbnails#of}), built with the run in
 *                   the background; null: built when the model view is drawn
 * @param sinkScores [layer][head][key] sink scores of {@code result}, computed with the run in the background (they
 *                   read every head, which for recomputed maps is seconds); null: computed when first needed
 * @param relevance  relevance maps of one target, one per method (docs/relevance.md), or null
 * @param faithfulness deletion/insertion curves of those maps, or null
 */
public record Results(AnalysisResult result, Map<String, Object> metrics, AblationScores ablation, GradientScores gradient,
                      ContributionGraph flow, AnalysisResult comparison, ModelThumbnails thumbnails, double[][][] sinkScores,
                      List<RelevanceMap> relevance, List<Faithfulness> faithfulness) {

    /** Without faithfulness curves. */
    public Results(AnalysisResult result, Map<String, Object> metrics, AblationScores ablation, GradientScores gradient,
                   ContributionGraph flow, AnalysisResult comparison, ModelThumbnails thumbnails, double[][][] sinkScores,
                   List<RelevanceMap> relevance) {
        this(result, metrics, ablation, gradient, flow, comparison, thumbnails, sinkScores, relevance, null);
    }

    /** Without relevance maps. */
    public Results(AnalysisResult result, Map<String, Object> metrics, AblationScores ablation, GradientScores gradient,
                   ContributionGraph flow, AnalysisResult comparison, ModelThumbnails thumbnails, double[][][] sinkScores) {
        this(result, metrics, ablation, gradient, flow, comparison, thumbnails, sinkScores, null);
    }

    public Results {
        if (result == null) {
            throw new IllegalArgumentException("results need an analysis result");
        }
        if (thumbnails != null && (thumbnails.layers() != result.attention().layers() || thumbnails.heads() != result.attention().heads()
                || thumbnails.length() != result.attention().length())) {
            throw new IllegalArgumentException("the model view's thumbnails are not of this run");
        }
    }

    /** Just the run. */
    public static Results of(AnalysisResult result) {
        return new Results(result, null, null, null, null, null, null, null);
    }

    public Results withMetrics(Map<String, Object> m) {
        return new Results(result, m, ablation, gradient, flow, comparison, thumbnails, sinkScores, relevance, faithfulness);
    }

    public Results withImportance(AblationScores a, GradientScores g) {
        return new Results(result, metrics, a, g, flow, comparison, thumbnails, sinkScores, relevance, faithfulness);
    }

    public Results withFlow(ContributionGraph f) {
        return new Results(result, metrics, ablation, gradient, f, comparison, thumbnails, sinkScores, relevance, faithfulness);
    }

    public Results withComparison(AnalysisResult c) {
        return new Results(result, metrics, ablation, gradient, flow, c, thumbnails, sinkScores, relevance, faithfulness);
    }

    /** With what the views of every run need, computed now (call it off the FX thread). */
    public Results withViewData(ModelThumbnails t, double[][][] sinks) {
        return new Results(result, metrics, ablation, gradient, flow, comparison, t, sinks, relevance, faithfulness);
    }

    /** New maps: curves of older ones no longer belong to them. */
    public Results withRelevance(List<RelevanceMap> maps) {
        return new Results(result, metrics, ablation, gradient, flow, comparison, thumbnails, sinkScores, maps == null ? null : List.copyOf(maps),
                null);
    }

    /** The faithfulness curves of this bundle's relevance maps. */
    public Results withFaithfulness(List<Faithfulness> curves) {
        return new Results(result, metrics, ablation, gradient, flow, comparison, thumbnails, sinkScores, relevance,
                curves == null ? null : List.copyOf(curves));
    }

    /** These results with every part {@code later} has (parts computed on the same run, each from an older bundle). */
    public Results withPartsOf(Results later) {
        return new Results(result, either(later.metrics, metrics), either(later.ablation, ablation), either(later.gradient, gradient),
                either(later.flow, flow), comparison, thumbnails, sinkScores, either(later.relevance, relevance),
                later.relevance != null && later.relevance != relevance ? later.faithfulness : either(later.faithfulness, faithfulness));
    }

    private static <T> T either(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    public int layers() {
        return result.attention().layers();
    }

    public int heads() {
        return result.attention().heads();
    }
}
