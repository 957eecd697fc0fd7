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

    /** What the run predicts now. */
    public Prediction prediction() {
        return app.runner().predictionProperty().get();
    }

    /** What the run without the interventions predicts; null when there are none. */
    public Prediction original() {
        return app.runner().originalPredictionProperty().get();
    }
}
