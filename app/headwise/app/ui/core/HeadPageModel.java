package headwise.app.ui.core;

import headwise.app.export.Exporter;
import headwise.app.export.ViewKind;
import headwise.app.export.VlmViews;
import headwise.app.session.Selection;
import headwise.app.session.Session;
import headwise.app.session.SessionState;
import headwise.app.ui.head.QkProjection;
import headwise.app.ui.model.AppModel;
import headwise.app.ui.model.BackgroundReads;
import headwise.app.ui.model.EngineTasks;
import headwise.app.ui.model.ModelLifecycle;
import headwise.app.ui.model.StatusLine;
import headwise.app.ui.model.VisionLanguageRun;
import headwise.app.ui.page.SessionSinks;
import headwise.app.ui.vlm.KeyClasses;
import headwise.engine.image.PixelImage;
import headwise.engine.run.ModelInput;
import headwise.engine.vlm.TokenClasses;
import headwise.viz.Figure;
import headwise.viz.export.PngExport;
import headwise.viz.vlm.ImageAttentionFigure;

import java.awt.image.BufferedImage;

import java.util.List;
import java.util.function.Consumer;

/**
 * The head page's state and commands: the selected head, the heatmap's selected cells, the q/k projection's head, and
 * the two jobs the page needs: one head's matrix (recomputed maps read it in the background: seconds at 8k tokens)
 * and the q/k projection (one extra forward). FX thread only.
 */
public final class HeadPageModel {

    private final AppModel app;
    /** Reads of recomputed heads: a newer read replaces an older one; never cancels the run or the projection. */
    private final BackgroundReads reads;
    /** The Head page's patch overlays in keys-by-class mode: a newer query's replaces an older one's. */
    private final EngineTasks overlays = new EngineTasks();

    public HeadPageModel(AppModel app) {
        this.app = app;
        this.reads = new BackgroundReads(app::report);
    }

    public Selection selection() {
        return app.state().selection();
    }

    public void select(int layer, int head) {
        app.select(layer, head);
    }

    /** The heatmap's selected row and column (−1 for none); saved, nothing reruns. */
    public void setCells(int query, int key) {
        app.updateSelection(s -> s.withCells(query, key));
    }

    /** The head whose q/k projection is shown; (−1, −1) for the heatmap's own head. Saved, nothing reruns. */
    public void setQkHead(int layer, int head) {
        app.updateSelection(s -> s.withQkHead(layer, head));
    }

    /** What the page draws of one head: its matrix as shown, and BertViz's head view of it (the figure, rendered at scale 1). */
    public record HeadPictures(float[] matrix, Figure headView, BufferedImage headViewImage) {
    }

    /**
     * Head (layer, head) of {@code session}: its matrix as drawn (sink keys hidden and rows renormalised when
     * {@code hide}) and its head view, handed to {@code onDone} on the FX thread: at once for stored maps, from a
     * background read for recomputed ones (a read that fails says why in the status line).
     */
    public void drawHead(Session session, int layer, int head, boolean hide, Consumer<HeadPictures> onDone) {
        reads.read(session, () -> {
            Figure headView = Exporter.figure(ViewKind.HEAD_VIEW, session.withSelection(layer, head));
            return new HeadPictures(SessionSinks.head(session, layer, head, hide), headView, PngExport.render(headView, 1));
        }, onDone);
    }

    /** The token classes of a vision-language run's positions (system, text, image), or null for other runs. */
    public TokenClasses classes(ModelInput input) {
        return KeyClasses.of(app.runner().models().currentModel(), input);
    }

    /** Keys by class (true) or by position in every attention view; saved, nothing reruns. */
    public void setKeysByClass(boolean byClass) {
        app.updateSelection(s -> s.withKeysByClass(byClass));
    }

    /**
     * Query {@code query}'s attention at head (layer, head) over the image the model saw (the VLM page's overlay, no
     * sinks marked), made in the background over the image the run saw (prepared once, then kept: VisionLanguageRun).
     */
    public void patchOverlay(Session session, TokenClasses classes, int layer, int head, int query, Consumer<ImageAttentionFigure> onDone,
                             Consumer<String> onProblem) {
        SessionState state = app.runState(); // the image the shown run saw
        ModelLifecycle.Handle handle = app.runner().models().current();
        if (handle == null) {
            return;
        }
        // its own queue, so that a new row replaces an older overlay but never the q/k projection (a side job)
        overlays.submit("patch overlay", p -> {
            try (ModelLifecycle.Lease lease = handle.lease()) {
                PixelImage seen = VisionLanguageRun.prepared(lease.model(), state).seen();
                return VlmViews.overlay(session.result().attention(), classes, session.tokens(), seen, List.of(), layer, head, query);
            }
        }, onDone, error -> onProblem.accept(StatusLine.describe(error)));
    }

    /** Projects one head's queries and keys for {@code input} in the background; a newer request replaces an older one. */
    public void projectQk(ModelInput input, int layer, int head, Consumer<QkProjection> onDone, Consumer<String> onProblem) {
        app.runner().sideJob("q/k projection", model -> QkProjection.capture(model, input, layer, head), onDone, onProblem);
    }
}
