package headwise.app.ui.page;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;

/** The flow page's own choices: which picture, the routes' edge threshold, and the raw attention beside it or not. */
public final class FlowPageModel {

    /** The pictures of the flow page. */
    public enum Mode { ROUTES, ROLLOUT, MAX_FLOW }

    private final ObjectProperty<Mode> mode = new SimpleObjectProperty<>(Mode.ROUTES);
    private final DoubleProperty threshold = new SimpleDoubleProperty(0);
    private final BooleanProperty besideRaw = new SimpleBooleanProperty(false);

    public ObjectProperty<Mode> modeProperty() {
        return mode;
    }

    /** Routes weaker than this are hidden (the graph's own threshold up to its strongest edge). */
    public DoubleProperty thresholdProperty() {
        return threshold;
    }

    public BooleanProperty besideRawProperty() {
        return besideRaw;
    }
}
