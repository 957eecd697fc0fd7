package headwise.app.ui.page;

import headwise.app.export.SessionAnalysis;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What every page shares: the hovered token (highlighted everywhere), the "hide sinks and renormalise" switch,
 * the log colour scale, and two requests back to the window: open a head, compute a missing session part.
 * FX thread only.
 */
public final class ViewState {

    /** Position of the token under the mouse in any view, −1 when none. */
    private final IntegerProperty hoveredToken = new SimpleIntegerProperty(-1);
    /** Drop attention to detected sink keys and renormalise rows, in every heatmap. */
    private final BooleanProperty hideSinks = new SimpleBooleanProperty(false);
    private final BooleanProperty logScale = new SimpleBooleanProperty(false);
    private final BiConsumer<Integer, Integer> openHead;
    private final Consumer<SessionAnalysis.Part> requestPart;

    /**
     * @param openHead    called with (layer, head) when a page asks to open a head in the head detail page
     * @param requestPart called when a page needs a part the session lacks (computed in the background)
     */
    public ViewState(BiConsumer<Integer, Integer> openHead, Consumer<SessionAnalysis.Part> requestPart) {
        this.openHead = openHead;
        this.requestPart = requestPart;
    }

    public IntegerProperty hoveredTokenProperty() {
        return hoveredToken;
    }

    public BooleanProperty hideSinksProperty() {
        return hideSinks;
    }

    public BooleanProperty logScaleProperty() {
        return logScale;
    }

    public void openHead(int layer, int head) {
        openHead.accept(layer, head);
    }

    public void requestPart(SessionAnalysis.Part part) {
        requestPart.accept(part);
    }
}
