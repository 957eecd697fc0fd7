package headwise.app.session;

import headwise.engine.analysis.flow.ContributionGraph;
import headwise.engine.analysis.importance.AblationScores;
import headwise.engine.analysis.importance.GradientScores;
import headwise.engine.run.AnalysisResult;
import headwise.viz.view.ModelThumbnails;

import java.util.Map;

/**
 * What a page or an export draws: the {@link Results} seen through a {@link Selection}. Built on demand from the two
 * (the app pairs its latest results with the state's selection; the CLI with the options), so nothing is kept in
 * step by hand. Plain data, no JavaFX.
 */
public record Session(Results results, Selection selection) {

    public Session {
        if (results == null || selection == null) {
            throw new IllegalArgumentException("a session needs results and a selection");
        }
        if (selection.layer() >= results.layers()) {
            throw new IllegalArgumentException("layer " + selection.layer() + " outside 0.." + (results.layers() - 1));
        }
        if (selection.head() >= results.heads()) {
            throw new IllegalArgumentException("head " + selection.head() + " outside 0.." + (results.heads() - 1));
        }
    }

    /** Just the run, layer 0, no head chosen, linear colours. */
    public static Session of(AnalysisResult result) {
        return new Session(Results.of(result), Selection.defaults());
    }

    /** The same results with head (l, h) selected; {@code h} −1 for none. */
    public Session withSelection(int l, int h) {
        return new Session(results, selection.withHead(l, h));
    }

    public AnalysisResult result() {
        return results.result();
    }

    public Map<String, Object> metrics() {
        return results.metrics();
    }

    public AblationScores ablation() {
        return results.ablation();
    }

    public GradientScores gradient() {
        return results.gradient();
    }

    public ContributionGraph flow() {
        return results.flow();
    }

    public AnalysisResult comparison() {
        return results.comparison();
    }

    public int layer() {
        return selection.layer();
    }

    public int head() {
        return selection.head();
    }

    public boolean logScale() {
        return selection.logScale();
    }

    public ImportanceChoice importance() {
        return selection.importance();
    }

    /** The model view's tiles: those kept with the results, or built now. */
    public ModelThumbnails thumbnailsOrBuild() {
        return results.thumbnails() != null ? results.thumbnails() : ModelThumbnails.of(result().attention());
    }

    /** The selected head, or 0 when none is chosen. */
    public int headOrFirst() {
        return selection.headOrFirst();
    }

    /** The run's tokens. */
    public String[] tokens() {
        return result().input().tokens();
    }
}
