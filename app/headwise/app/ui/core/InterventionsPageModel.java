package headwise.app.ui.core;

import headwise.app.session.InterventionPlan;
import headwise.app.session.Prediction;
import headwise.app.ui.model.AppModel;

/** The interventions page's state: the plan being edited and the predictions it changes. FX thread only. */
public final class InterventionsPageModel {

    private final AppModel app;

    public InterventionsPageModel(AppModel app) {
        this.app = app;
    }

    public InterventionPlan plan() {
        return app.state().plan();
    }

    /** Applies {@code next} (and reruns) unless it is the plan in place. */
    public void edit(InterventionPlan next) {
        if (!next.equals(plan())) {
            app.setPlan(next);
        }
    }

    /**
     * The layer the changed run was recomputed from: an intervention reruns only the layers from the first one it
     * changes, the layers below being the original run's. −1 without interventions.
     */
    public int recomputedFrom() {
        return app.runner().recomputedFrom();
    }

    /** What the run predicts now. */
    public Prediction prediction() {
        return app.runner().predictionProperty().get();
    }

    /** What the run without the interventions predicts; null when there are none. */
    public Prediction original() {
        return app.runner().originalPredictionProperty().get();
    }
}
