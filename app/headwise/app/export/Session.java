package headwise.app.export;

import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.analysis.importance.AblationScores;
import headwise.engine.analysis.importance.GradientScores;
import headwise.engine.run.AnalysisResult;
import headwise.viz.view.ModelThumbnails;

import java.util.Map;

/**
 * What the exports draw and write: one analysed run and whatever has been computed on it. Only {@code result} is
 * required; a view whose data is missing says so ({@link ViewFigures#unavailable}). Plain data, no JavaFX: the app
 * builds one from its state, the CLI from {@link SessionAnalysis}.
 *
 * @param result     the run: attention, tokens, output
 * @param metrics    {@code MetricsReport.compute(model, result)} (metrics.json's map), or null
 * @param ablation   head ablation scores, or null
 * @param gradient   gradient head importance, or null
 * @param flow       the information-flow graph, or null
 * @param comparison a second run to compare with (another input, or the same with an intervention), or null
 * @param layer      the selected layer (heatmap, head view, ViT overlay, compare)
 * @param head       the selected head; −1 = none chosen: the head view draws all heads of the layer, the other
 *                   single-head views head 0
 * @param logScale   heatmap colours in log10 instead of linear
 * @param thumbnails the model view's tiles of {@code result} ({@link ModelThumbnails#of}), built once when the run
 *                   arrives; null: built when the model view is drawn
 * @param importance the measure the model view's bars show (drawn only once that measure is computed)
 */
public record Session(AnalysisResult result, Map<String, Object> metrics, AblationScores ablation, GradientScores gradient,
                      ContributionGraph flow, AnalysisResult comparison, int layer, int head, boolean logScale,
                      ModelThumbnails thumbnails, ImportanceChoice importance) {

    /** A session whose model view tiles are built when first drawn, its bars showing zero ablation. */
    public Session(AnalysisResult result, Map<String, Object> metrics, AblationScores ablation, GradientScores gradient,
                   ContributionGraph flow, AnalysisResult comparison, int layer, int head, boolean logScale) {
        this(result, metrics, ablation, gradient, flow, comparison, layer, head, logScale, null, ImportanceChoice.ZERO_ABLATION);
    }

    public Session {
        importance = importance == null ? ImportanceChoice.ZERO_ABLATION : importance;
        if (result == null) {
            throw new IllegalArgumentException("a session needs an analysis result");
        }
        int layers = result.attention().layers();
        int heads = result.attention().heads();
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " outside 0.." + (layers - 1));
        }
        if (head < -1 || head >= heads) {
            throw new IllegalArgumentException("head " + head + " outside 0.." + (heads - 1));
        }
        if (thumbnails != null && (thumbnails.layers() != layers || thumbnails.heads() != heads
                || thumbnails.length() != result.attention().length())) {
            throw new IllegalArgumentException("the model view's thumbnails are not of this run");
        }
    }

    /** Just the run, layer 0, no head chosen, linear colours. */
    public static Session of(AnalysisResult result) {
        return new Session(result, null, null, null, null, null, 0, -1, false);
    }

    public Session withMetrics(Map<String, Object> m) {
        return new Session(result, m, ablation, gradient, flow, comparison, layer, head, logScale, thumbnails, importance);
    }

    public Session withImportance(AblationScores a, GradientScores g) {
        return new Session(result, metrics, a, g, flow, comparison, layer, head, logScale, thumbnails, importance);
    }

    public Session withFlow(ContributionGraph f) {
        return new Session(result, metrics, ablation, gradient, f, comparison, layer, head, logScale, thumbnails, importance);
    }

    public Session withComparison(AnalysisResult c) {
        return new Session(result, metrics, ablation, gradient, flow, c, layer, head, logScale, thumbnails, importance);
    }

    /** @param h −1 for none */
    public Session withSelection(int l, int h) {
        return new Session(result, metrics, ablation, gradient, flow, comparison, l, h, logScale, thumbnails, importance);
    }

    public Session withLogScale(boolean log) {
        return new Session(result, metrics, ablation, gradient, flow, comparison, layer, head, log, thumbnails, importance);
    }

    /** The same session with the model view's tiles of its run (built in the background, see {@link ModelThumbnails#of}). */
    public Session withThumbnails(ModelThumbnails t) {
        return new Session(result, metrics, ablation, gradient, flow, comparison, layer, head, logScale, t, importance);
    }

    /** The same session with the model view's bars showing {@code choice}. */
    public Session withImportanceChoice(ImportanceChoice choice) {
        return new Session(result, metrics, ablation, gradient, flow, comparison, layer, head, logScale, thumbnails, choice);
    }

    /** The model view's tiles: those kept with the session, or built now. */
    public ModelThumbnails thumbnailsOrBuild() {
        return thumbnails != null ? thumbnails : ModelThumbnails.of(result.attention());
    }

    /** The selected head, or 0 when none is chosen. */
    public int headOrFirst() {
        return Math.max(0, head);
    }

    /** The run's tokens. */
    public String[] tokens() {
        return result.input().tokens();
    }
}
