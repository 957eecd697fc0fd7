package headwise.app.ui.core;

import headwise.app.export.SessionAnalysis.Part;
import headwise.app.session.ImportanceChoice;
import headwise.app.session.Session;
import headwise.app.ui.model.AppModel;
import headwise.app.ui.page.ViewState;

/** The model view's commands: open a head, compute the marks, choose the bars' measure. FX thread only. */
public final class ModelViewPageModel {

    private final AppModel app;
    private final ViewState view;

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
        double importance = s.ablation() == null || s.gradient() == null ? app.estimateSeconds(Part.IMPORTANCE) : 0;
        return metrics + importance;
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
}
