package headwise.app.ui.page;

import headwise.app.export.SessionAnalysis;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * What every page shares: the hovered token (highlighted everywhere), the "hide sinks and renormalise" switch,
 * the log colour scale, and what pages ask of the window: open a head, compute a missing session part, read attention
 * (recomputed heads off the FX thread).
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
    private final Supplier<AttentionReads> reads;
    private ToDoubleFunction<SessionAnalysis.Part> estimates = part -> Double.NaN;

    /** A view state whose pages read attention at once (page tests). */
    public ViewState(BiConsumer<Integer, Integer> openHead, Consumer<SessionAnalysis.Part> requestPart) {
        this(openHead, requestPart, () -> AttentionReads.NOW);
    }

    /**
     * @param openHead    called with (layer, head) when a page asks to open a head in the head detail page
     * @param requestPart called when a page needs a part the session lacks (computed in the background)
     * @param reads       a new reader of attention for each page that asks ({@link #attentionReads})
     */
    public ViewState(BiConsumer<Integer, Integer> openHead, Consumer<SessionAnalysis.Part> requestPart, Supplier<AttentionReads> reads) {
        this.openHead = openHead;
        this.requestPart = requestPart;
        this.reads = reads;
    }

    /** A reader of attention for one page: recomputed heads arrive later, read in the background. */
    public AttentionReads attentionReads() {
        return reads.get();
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

    /** Where the estimated seconds of a missing part come from (what its button says); NaN: unknown. */
    public void setEstimates(ToDoubleFunction<SessionAnalysis.Part> estimates) {
        this.estimates = estimates;
    }

    /** The estimated seconds {@code part} takes for the shown run, NaN when unknown. */
    public double estimateSeconds(SessionAnalysis.Part part) {
        return estimates.applyAsDouble(part);
    }
}
