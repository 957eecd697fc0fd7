package headwise.app.ui.page;

import headwise.viz.draw.Scales;
import headwise.app.export.MetricsMap;
import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.ViewKind;
import headwise.app.ui.page.VitPageModel.Source;
import headwise.engine.image.PatchGrid;
import headwise.engine.image.PixelImage;
import headwise.viz.PatchAttentionOverlay;
import headwise.viz.view.MatrixFigure;
import headwise.viz.view.VitHeadGridFigure;
import headwise.viz.view.VitOverlayFigure;
import javafx.scene.Node;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Vision transformers: every head of the chosen layer as a small panel (the image under that head's attention row,
 * labelled with the head and its mean attention distance; one panel for attention rollout, which is not per head),
 * one figure drawn by viz; below it the selected head large, the image the model saw beside the same image under one
 * attention row over the patch grid (the [CLS] row of a head, the [CLS] row of attention rollout, or the row of a
 * patch chosen by clicking it, which every panel then shows too), and the mean attention distance in pixels of every
 * head. Clicking a panel or a head of the distance map selects it. Text models get one line.
 */
public final class VitPage extends AnalysisPage {

    private final VitPageModel model = new VitPageModel();
    private final ChoiceBox<Source> source = new ChoiceBox<>();
    private final HeadSpinners spinners = new HeadSpinners("vit", model.headProperty());
    private final FigureView gridView = new FigureView();
    private final FigureView overlay = new FigureView();
    private final FigureView distance = new FigureView();
    private final FlowPane top = new FlowPane(12, 12); // the per-head grid, and beside it (or below, when narrow) the distance map
    private final VBox body = new VBox(12);
    private final ScrollPane scroll = new ScrollPane(body);
    private final HBox bar;
    private BufferedImage image;
    private PatchAttentionOverlay.Layout layout;
    private float[] shownRow;
    private boolean updating;

    public VitPage(ViewState state) {
        super("ViT", ViewKind.VIT_OVERLAY, state);
        source.getItems().setAll(Source.values());
        source.setId("vit-source");
        source.valueProperty().bindBidirectional(model.sourceProperty());
        model.sourceProperty().addListener((o, was, now) -> redraw());
        model.headProperty().addListener((o, was, now) -> redraw());
        bar = Controls.toolbar(new Label("Attention"), source, new Label("Layer"), spinners.layer, new Label("Head"), spinners.head);
        top.getChildren().addAll(gridView, distance);
        top.prefWrapLengthProperty().bind(scroll.widthProperty().subtract(24)); // side by side while the window is wide enough
        body.getChildren().addAll(top, overlay);
        gridView.setId("vit-grid");
        gridView.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
            if (gridView.figure() instanceof VitHeadGridFigure f && source.getValue() != Source.ROLLOUT) {
                int panel = f.panelAt(x, y);
                if (panel >= 0) {
                    select(model.headProperty().get().layer(), panel);
                }
            }
        });
        gridView.onMouse(MouseEvent.MOUSE_MOVED, (x, y) -> state.hoveredTokenProperty().set(gridPatchAt(x, y)));
        gridView.onMouse(MouseEvent.MOUSE_EXITED, (x, y) -> state.hoveredTokenProperty().set(-1));
        overlay.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> choose(patchAt(x, y)));
        overlay.onMouse(MouseEvent.MOUSE_MOVED, (x, y) -> state.hoveredTokenProperty().set(patchAt(x, y)));
        overlay.onMouse(MouseEvent.MOUSE_EXITED, (x, y) -> state.hoveredTokenProperty().set(-1));
        distance.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
            int[] at = ((MatrixFigure) distance.figure()).cellAt(x, y);
            if (at != null) {
                select(at[0], at[1]);
            }
        });
        state.hoveredTokenProperty().addListener((o, was, now) -> markPatches());
        state.hideSinksProperty().addListener((o, was, now) -> redraw());
    }

    FigureView gridView() {
        return gridView;
    }

    FigureView overlayView() {
        return overlay;
    }

    FigureView distanceView() {
        return distance;
    }

    /** The attention row drawn now over all T keys. */
    float[] shownRow() {
        return shownRow;
    }

    int chosenToken() {
        return model.chosenTokenProperty().get();
    }

    private void chosenToken(int token) {
        model.chosenTokenProperty().set(token);
    }

    Source source() {
        return source.getValue();
    }

    /** Shows head (l, h). */
    void select(int l, int h) {
        model.headProperty().set(new HeadIndex(l, h));
    }

    @Override
    protected void render() {
        if (session.result().input().image() == null) {
            root.setTop(null);
            root.setCenter(message("This page needs an image model: open a ViT or DeiT folder and give it an image."));
            return;
        }
        root.setTop(bar);
        root.setCenter(scroll);
        PixelImage seen = session.result().input().image().seen();
        image = PatchAttentionOverlay.rgbImage(seen.width(), seen.height(), seen.channels(), seen.samples());
        int layers = session.result().attention().layers();
        int heads = session.result().attention().heads();
        updating = true;
        spinners.fit(layers, heads, new HeadIndex(Math.min(session.layer(), layers - 1), session.headOrFirst()));
        updating = false;
        chosenToken(Math.min(chosenToken(), session.result().input().length() - 1));
        drawDistance();
        redraw();
    }

    private void drawDistance() {
        double[][] px = MetricsMap.matrix(session.metrics(), "vit", "mean_distance_px");
        if (px == null) {
            top.getChildren().set(1, missing("Mean attention distance per head comes with the metrics, not computed yet.", Part.METRICS));
            return;
        }
        int heads = px[0].length;
        distance.show(MatrixFigure.headMap("Mean attention distance (pixels)", "per head: patch-to-patch distance weighted by attention; "
                        + "click a head to show it", px, Math.max(12, Math.min(30, 360 / heads)), Scales.score(px), "pixels"));
        top.getChildren().set(1, distance);
    }

    private void redraw() {
        if (updating || session == null || image == null) {
            return;
        }
        PatchGrid grid = session.result().input().grid();
        int l = model.headProperty().get().layer();
        int h = model.headProperty().get().head();
        int t = session.result().attention().length();
        String title;
        switch (source.getValue()) {
            case ROLLOUT -> {
                double[][] rollout = MetricsMap.matrix(session.metrics(), "rollout");
                if (rollout == null) {
                    top.getChildren().set(0, missing("Attention rollout comes with the metrics, not computed yet.", Part.METRICS));
                    body.getChildren().set(1, new Label());
                    shownRow = null;
                    return;
                }
                shownRow = new float[t];
                for (int j = 0; j < t; j++) {
                    shownRow[j] = (float) rollout[0][j];
                }
                title = "attention rollout, [CLS] row (all layers)";
            }
            case PATCH -> {
                int query = Math.max(chosenToken(), grid.specialTokens());
                chosenToken(query);
                shownRow = row(l, h, query);
                int p = query - grid.specialTokens();
                title = "layer " + l + ", head " + h + " \u00b7 patch (" + p / grid.cols() + ", " + p % grid.cols() + ")'s attention";
            }
            default -> {
                shownRow = row(l, h, 0);
                title = "layer " + l + ", head " + h + " \u00b7 [CLS] attention over the patches";
            }
        }
        if (state.hideSinksProperty().get() && source.getValue() != Source.ROLLOUT) {
            title += " (sinks hidden)";
        }
        int query = source.getValue() == Source.PATCH ? chosenToken() : 0;
        VitOverlayFigure figure = new VitOverlayFigure(image, shownRow, grid.specialTokens(), grid.rows(), grid.cols(), title, query);
        layout = PatchAttentionOverlay.layout(image.getWidth(), image.getHeight(), grid.rows(), grid.cols(), title);
        overlay.show(figure);
        gridView.show(headGrid(l, h));
        top.getChildren().set(0, gridView);
        body.getChildren().set(1, overlay);
        markPatches();
    }

    /**
     * Every head of layer {@code l} under the row shown large (the [CLS] row or the chosen patch's), head {@code h}
     * framed; for rollout, one panel (it mixes all heads of all layers).
     */
    private VitHeadGridFigure headGrid(int l, int h) {
        PatchGrid g = session.result().input().grid();
        List<VitHeadGridFigure.Panel> panels = new ArrayList<>();
        String title;
        String caption;
        int query = -1;
        boolean hidden = state.hideSinksProperty().get();
        if (source.getValue() == Source.ROLLOUT) {
            panels.add(new VitHeadGridFigure.Panel("rollout, all layers", shownRow));
            title = "Attention rollout: one map for the whole model, not per head";
            caption = "it averages each layer's heads, then chains the layers: no per-head maps";
        } else {
            int token = source.getValue() == Source.PATCH ? chosenToken() : 0;
            double[][] px = MetricsMap.matrix(session.metrics(), "vit", "mean_distance_px");
            int heads = session.result().attention().heads();
            for (int i = 0; i < heads; i++) {
                String label = "head " + i;
                if (px != null && l < px.length && i < px[l].length) {
                    label += String.format(Locale.ROOT, " · %.1f px", px[l][i]);
                }
                panels.add(new VitHeadGridFigure.Panel(label, row(l, i, token)));
            }
            if (source.getValue() == Source.PATCH) {
                query = token - g.specialTokens();
                title = String.format(Locale.ROOT, "Layer %d, every head: patch (%d, %d)'s attention", l, query / g.cols(), query % g.cols());
            } else {
                title = "Layer " + l + ", every head: [CLS] attention over the patches";
            }
            if (hidden) {
                title += " (sinks hidden)";
            }
            caption = (px == null ? "mean attention distance per head comes with the metrics" : "px: the head's mean attention distance")
                    + "; click a panel to show its head below";
        }
        return new VitHeadGridFigure(image, panels, g.specialTokens(), g.rows(), g.cols(), title, caption,
                source.getValue() == Source.ROLLOUT ? -1 : h, query);
    }

    /** The patch token under a point of the grid, or −1. */
    private int gridPatchAt(double x, double y) {
        if (!(gridView.figure() instanceof VitHeadGridFigure f) || session == null || session.result().input().grid() == null) {
            return -1;
        }
        int p = f.patchAt(x, y);
        return p < 0 ? -1 : p + session.result().input().grid().specialTokens();
    }

    private float[] row(int l, int h, int query) {
        int t = session.result().attention().length();
        float[] m = SessionSinks.head(session, l, h, state.hideSinksProperty().get());
        float[] out = new float[t];
        System.arraycopy(m, query * t, out, 0, t);
        return out;
    }

    /** The patch token under a point of either panel, or −1. */
    private int patchAt(double x, double y) {
        if (!(overlay.figure() instanceof VitOverlayFigure f)) {
            return -1;
        }
        PatchGrid grid = session.result().input().grid();
        int patch = f.patchAt(x, y);
        return patch < 0 ? -1 : grid.token(patch / grid.cols(), patch % grid.cols());
    }

    private void choose(int token) {
        if (token < 0) {
            return;
        }
        chosenToken(token);
        if (source.getValue() == Source.PATCH) {
            redraw();
        } else {
            source.setValue(Source.PATCH);
        }
    }

    /** The hovered patch (and the chosen one, in patch mode) outlined on both panels. */
    private void markPatches() {
        overlay.clearMarks();
        gridView.clearMarks();
        if (layout == null || session == null || session.result().input().grid() == null) {
            return;
        }
        PatchGrid grid = session.result().input().grid();
        for (int token : new int[] {state.hoveredTokenProperty().get(), source.getValue() == Source.PATCH ? chosenToken() : -1}) {
            int p = token - grid.specialTokens();
            if (p < 0 || p >= grid.patches()) {
                continue;
            }
            int r = p / grid.cols();
            int c = p % grid.cols();
            for (int left : new int[] {layout.imageX(), layout.overlayX()}) {
                overlay.mark(new Rectangle2D.Double(left + layout.cellLeft(c), layout.panelY() + layout.cellTop(r),
                        layout.cellLeft(c + 1) - layout.cellLeft(c), layout.cellTop(r + 1) - layout.cellTop(r)));
            }
            if (token == state.hoveredTokenProperty().get() && gridView.figure() instanceof VitHeadGridFigure f) {
                for (int i = 0; i < f.panelCount(); i++) {
                    gridView.mark(f.cellBounds(i, r, c));
                }
            }
        }
    }

    Node bar() {
        return bar;
    }
}
