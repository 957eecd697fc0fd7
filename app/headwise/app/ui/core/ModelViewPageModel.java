package headwise.app.ui.core;

import headwise.app.export.SessionAnalysis;
import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.ViewFigures;
import headwise.app.export.ViewKind;
import headwise.app.session.ImportanceChoice;
import headwise.app.session.Session;
import headwise.app.ui.model.AppModel;
import headwise.app.ui.model.EngineTasks;
import headwise.app.ui.page.ViewState;
import headwise.app.ui.vlm.KeyClasses;
import headwise.engine.vlm.TokenClasses;
import headwise.viz.Figure;
import headwise.viz.export.PngExport;

import java.awt.image.BufferedImage;
import java.util.function.Consumer;

/**
 * The model view's commands: open a head, compute the marks, choose the bars' measure, group the keys by class (that
 * figure reads every head, so it is drawn in the background). FX thread only.
 */
public final class ModelViewPageModel {

    private final AppModel app;
    private final ViewState view;
    /** Draws the keys-by-class figure; a newer drawing is wanted once the session changes, the older is dropped by the page. */
    private final EngineTasks drawings = new EngineTasks();

    public ModelViewPageModel(AppModel app, ViewState view) {
        this.app = app;
        this.view = view;
    }

    public void openHead(int layer, int head) {
        view.openHead(layer, head);
    }

    /** Head-type frames and importance bars: both computed in the background. */
    public void computeMarks() {
        app.requestPart(Part.METRICS);
        app.requestPart(Part.IMPORTANCE);
    }

    /** The estimated seconds of what {@link #computeMarks} still has to compute for {@code s}, NaN when unknown. */
    public double marksSeconds(Session s) {
        double metrics = s.metrics() == null ? app.estimateSeconds(Part.METRICS) : 0;
        double importance = SessionAnalysis.importanceComplete(s.results(), s.importance().ablationComputed()) ? 0 : app.estimateSeconds(Part.IMPORTANCE);
        return metrics + importance;
    }

    /**
     * Why the bars cannot show their chosen measure for {@code s}'s input, or null: the gradient measure of an input
     * too long for its backward pass (computing again would not bring it; the ablation measures still can).
     */
    public String measureLeftOut(Session s) {
        return s.importance() == ImportanceChoice.GRADIENT ? SessionAnalysis.gradientLeftOut(s.results()) : null;
    }

    /**
     * The measure the bars show; when importance is computed already and lacks this measure (mean ablation after
     * zero), it is computed in the background.
     */
    public void chooseMeasure(ImportanceChoice choice) {
        if (app.state().selection().importance() == choice) {
            return;
        }
        app.updateSelection(s -> s.withImportance(choice));
        Session s = app.session();
        if (s != null && (s.ablation() != null || s.gradient() != null)) {
            app.requestPart(Part.IMPORTANCE);
        }
    }

    /** The token classes of the session's run (a joined vision-language run), or null. */
    public TokenClasses classes(Session s) {
        return KeyClasses.of(app.runner().models().currentModel(), s.result().input());
    }

    /** Keys by class (true) or by position in every attention view; saved, nothing reruns. */
    public void setKeysByClass(boolean byClass) {
        app.updateSelection(s -> s.withKeysByClass(byClass));
    }

    /** The model view with keys grouped by class, and its rendering. */
    public record Drawn(Figure figure, BufferedImage image) {
    }

    /** Draws the model view of {@code s} with keys grouped by {@code classes} in the background, to {@code onDone}. */
    public void drawByClass(Session s, TokenClasses classes, Consumer<Drawn> onDone) {
        drawings.submit("grouping keys by class", p -> {
            Figure f = ViewFigures.byClass(ViewKind.MODEL_VIEW, s, classes);
            return new Drawn(f, PngExport.render(f, 1));
        }, onDone, app::report);
    }
}
