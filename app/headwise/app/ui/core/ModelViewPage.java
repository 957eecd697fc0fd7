package headwise.app.ui.core;

import headwise.app.export.PartCosts;
import headwise.app.export.Exporter;
import headwise.app.export.ViewKind;
import headwise.app.session.ImportanceChoice;
import headwise.app.session.Session;
import headwise.app.ui.page.Controls;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.page.OwnFigure;
import headwise.app.ui.page.PageBase;
import headwise.app.ui.vlm.KeysChoice;
import headwise.engine.vlm.TokenClasses;
import headwise.viz.export.PngExport;
import headwise.viz.view.ModelViewFigure;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.HBox;

import java.awt.geom.Rectangle2D;

/**
 * Every layer × head as a thumbnail, drawn by viz's {@link ModelViewFigure} into one image (not a node per head),
 * with head-type frames and importance bars once those are computed (the bars' measure is chosen: zero or mean
 * ablation, or gradient). Clicking a thumbnail opens that head.
 */
public final class ModelViewPage extends PageBase {

    public static final String TITLE = "Model view";

    private final ChoiceBox<ImportanceChoice> measure = new ChoiceBox<>();
    private final FigureView view = FigureView.fitting();
    private final Label info = new Label();
    private final Button compute = new Button("Compute head types & importance");
    private final KeysChoice keys;
    private ModelViewFigure figure;
    private Session drawn;
    /** Whether the figure asked for groups keys by class, and whether the one shown does (it is drawn in the background). */
    private boolean drawnByClass;
    private boolean shownByClass;
    /** The latest keys-by-class drawing asked for: an older one that arrives late is not shown. */
    private Object drawing;
    private boolean updating;
    private final ModelViewPageModel model;

    public ModelViewPage(ModelViewPageModel model) {
        super(TITLE, ViewKind.MODEL_VIEW);
        this.model = model;
        view.setId("model-view");
        view.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
            int[] head = headAt(x, y);
            if (head != null) {
                model.openHead(head[0], head[1]);
            }
        });
        // the grid fills the page, scaled to fit; a model too tall for it at half size scrolls down
        ScrollPane scroll = new ScrollPane(view);
        scroll.setFitToWidth(true);
        scroll.setFitToHeight(true);
        compute.setId("compute-marks");
        compute.setOnAction(e -> model.computeMarks());
        measure.setId("importance-measure");
        measure.getItems().setAll(ImportanceChoice.values());
        measure.setValue(ImportanceChoice.ZERO_ABLATION);
        measure.setTooltip(new Tooltip("the head-importance measure of the bars under the heads"));
        measure.valueProperty().addListener((o, was, now) -> {
            if (!updating && now != null) {
                model.chooseMeasure(now);
            }
        });
        info.setId("model-view-info");
        keys = new KeysChoice("model-view-keys", model::setKeysByClass);
        Label bars = new Label("bars:");
        // the controls keep their size; the hint beside them wraps when the window is narrow
        for (javafx.scene.layout.Region r : new javafx.scene.layout.Region[] {compute, bars, measure}) {
            r.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        }
        info.setWrapText(true);
        info.setMinWidth(0);
        HBox.setHgrow(info, javafx.scene.layout.Priority.ALWAYS);
        HBox bar = Controls.paddedToolbar(compute, bars, measure, keys.node(), info);
        bar.setSpacing(10);
        root.setTop(bar);
        root.setCenter(scroll);
    }

    /** The figure shown now (for tests: where each thumbnail is). */
    public ModelViewFigure figure() {
        return figure;
    }

    /** The grid as shown (figure units: {@link FigureView#figureToScreen}). */
    public FigureView figureView() {
        return view;
    }

    /**
     * Loads Java2D's classes and fonts (seconds on a busy machine) before the window's first {@link #show} needs them:
     * draws a small made-up matrix figure (text, a colour bar, a cell image) and converts it to a JavaFX image, then
     * drops both. Cold start runs it on a thread of its own at launch, beside ND4J's start, so that the first run is
     * handed to the window as soon as it is computed. Shows nothing and caches nothing.
     */
    public static void warmUpDrawing() {
        double[][] m = {{0.1, 0.9}, {0.5, 0.3}};
        var figure = headwise.viz.view.MatrixFigure.of("Warm-up 0.123", "L0 H0", m, headwise.viz.view.MatrixFigure.indexLabels("L", 2),
                headwise.viz.view.MatrixFigure.indexLabels("", 2), 12, headwise.viz.draw.ValueScale.linear(0, 1), false, "x");
        SwingFXUtils.toFXImage(PngExport.render(figure, 1), null);
    }

    @Override
    public void show(Session session) {
        TokenClasses classes = model.classes(session);
        boolean byClass = keys.show(session.selection().keysByClass(), classes != null);
        if (drawn == null || drawn.results() != session.results() || drawn.importance() != session.importance() || byClass != drawnByClass) {
            drawnByClass = byClass;
            Object request = new Object();
            drawing = request;
            if (byClass) {
                model.drawByClass(session, classes, done -> {
                    if (drawing == request) {
                        figure = (ModelViewFigure) done.figure();
                        shownByClass = true;
                        view.show(figure, done.image());
                        markSelected();
                    }
                });
            } else {
                figure = (ModelViewFigure) Exporter.figure(ViewKind.MODEL_VIEW, session); // the exported figure, same marks
                shownByClass = false;
                view.show(figure);
            }
        }
        drawn = session;
        updating = true;
        measure.setValue(session.importance());
        updating = false;
        // a measure this input can never have (the gradient past the memory of its backward pass) is not offered as work
        String leftOut = model.measureLeftOut(session);
        boolean marked = session.metrics() != null && (hasMeasure(session) || leftOut != null);
        compute.setDisable(marked);
        double seconds = marked ? Double.NaN : model.marksSeconds(session);
        compute.setText("Compute head types & importance" + (Double.isNaN(seconds) ? "" : " \u2014 " + PartCosts.describe(seconds)));
        String noBars = leftOut == null ? "" : "no gradient bars: " + leftOut + "; zero or mean ablation can be shown";
        if (marked) {
            info.setText("Frames: head types; " + (leftOut == null ? "bars: " + session.importance() + " importance" : noBars)
                    + ". Click a head to open it.");
        } else {
            info.setText("Click a head to open it. Head types and importance are computed on request"
                    + (leftOut == null ? "." : "; " + noBars + "."));
        }
        markSelected();
    }

    /** Frames the session's head on the figure shown. */
    private void markSelected() {
        view.clearMarks();
        if (figure != null && drawn != null && drawn.head() >= 0) {
            double[] corner = figure.thumbnailCorner(drawn.layer(), drawn.head());
            view.mark(new Rectangle2D.Double(corner[0] - 3, corner[1] - 3, figure.thumbnailSize() + 6, figure.thumbnailSize() + 6));
        }
    }

    /** With keys by class, the figure as shown (export writes it); by position, the session's model view. */
    @Override
    public OwnFigure ownFigure() {
        if (!drawnByClass) {
            return null;
        }
        String title = ViewKind.MODEL_VIEW.title() + ", keys by class";
        return shownByClass ? OwnFigure.of(title, "model-view-classes", figure)
                : OwnFigure.notYet(title, "model-view-classes", "the model view with keys by class is still being drawn");
    }

    /** The "Keys: by position | by class" control. */
    public KeysChoice keysChoice() {
        return keys;
    }

    /** Whether the session has the measure its bars are to show. */
    private static boolean hasMeasure(Session s) {
        ImportanceChoice c = s.importance();
        return c.ablation() == null ? s.gradient() != null : s.ablation() != null && s.ablation().mode() == c.ablation();
    }

    /** The bar measure chooser. */
    public ChoiceBox<ImportanceChoice> measureChoice() {
        return measure;
    }

    /** {layer, head} of the thumbnail at image point (x, y), or null. */
    public int[] headAt(double x, double y) {
        if (figure == null || drawn == null) {
            return null;
        }
        return figure.headAt(x, y);
    }
}
