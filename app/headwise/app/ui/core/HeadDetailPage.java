package headwise.app.ui.core;

import headwise.app.export.ViewFigures;
import headwise.app.export.ViewKind;
import headwise.app.session.Selection;
import headwise.app.session.Session;
import headwise.app.ui.head.QkScatter;
import headwise.app.ui.page.Controls;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.page.OwnFigure;
import headwise.app.ui.page.PageBase;
import headwise.app.ui.page.ViewState;
import headwise.app.ui.vlm.KeyClasses;
import headwise.app.ui.vlm.KeysChoice;
import headwise.app.ui.widget.HeatmapView;
import headwise.app.ui.widget.Styles;
import headwise.engine.run.AnalysisResult;
import headwise.engine.vlm.TokenClasses;
import headwise.viz.view.Labels;
import headwise.viz.view.MatrixFigure;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.Locale;

/**
 * One head in detail: the zoomable heatmap (token labels, legend, linear/log, hover readout, row and column
 * selection), BertViz's head view beside it, and a head's q/k projection (computed in the background): the heatmap's
 * head, or one pinned with its own layer and head. The selected row and column and the q/k head are saved with the
 * session.
 */
public final class HeadDetailPage extends PageBase {

    public static final String TITLE = "Head";
    static final String HEATMAP_HINT = "scroll: zoom \u00B7 drag: pan \u00B7 double-click: fit \u00B7 click: select query row "
            + "\u00B7 shift-click: key column";
    static final String CLASS_HINT = "keys grouped by class \u00B7 hover: a query's attention to a class \u00B7 click: select query row";

    private final HeadPageModel model;
    private final ViewState viewState;
    private final HeatmapView heatmap = new HeatmapView();
    private final Spinner<Integer> layer = Controls.indexSpinner("layer", 76, this::headChosen);
    private final Spinner<Integer> head = Controls.indexSpinner("head", 76, this::headChosen);
    private final CheckBox log = new CheckBox("log scale");
    private final Label readout = new Label();
    private final Label selectionInfo = new Label();
    private final Label hint = new Label();
    /** A vision-language run's share of this head's attention per key class (system, text, image). */
    private final Label keyClasses = new Label();
    private final FigureView headView = FigureView.fittingOrScrolling();
    private final QkScatter scatter = new QkScatter();
    private final CheckBox qkFollow = new CheckBox("the heatmap's head");
    private final Spinner<Integer> qkLayer = Controls.indexSpinner("qk-layer", 70, this::qkHeadChosen);
    private final Spinner<Integer> qkHead = Controls.indexSpinner("qk-head", 70, this::qkHeadChosen);
    private final Label qkStatus = new Label();
    private final KeysChoice keys;
    /** Keys by class: the head as queries × classes, and the selected query's attention over the image under it. */
    private final FigureView classMap = FigureView.fitting();
    private final FigureView overlay = FigureView.fitting();
    private final Label overlayHint = new Label();
    /** The overlay and its caption: in place of the head view while keys are grouped by class. */
    private final VBox overlayBox;
    private final VBox left;
    private final ScrollPane headViewPane;
    private final SplitPane right;
    private MatrixFigure classFigure;
    /** The shown run's token classes (null without), and whether its keys are shown by class. */
    private TokenClasses classes;
    private boolean byClass;
    /** The latest overlay asked for: an older one that arrives late is not drawn. */
    private Object overlayRequest;
    private Session shown;
    private float[] matrix;
    /** The latest read of a head's matrix: an older read that arrives late is not drawn. */
    private Object matrixRequest;
    private boolean shownWithSinksHidden;
    private boolean updating;
    /** The run and {layer, head} of the q/k projection shown or being computed. */
    private AnalysisResult projectedRun;
    private int[] projectedHead;

    public HeadDetailPage(HeadPageModel model, ViewState viewState) {
        super(TITLE, ViewKind.HEATMAP);
        this.model = model;
        this.viewState = viewState;
        heatmap.setId("heatmap");
        log.setId("log-scale");
        readout.setId("readout");
        selectionInfo.setId("selection");
        headView.setId("head-view");
        qkStatus.setId("qk-status");
        log.selectedProperty().bindBidirectional(viewState.logScaleProperty());
        viewState.logScaleProperty().addListener((o, a, on) -> heatmap.setLogScale(on));
        viewState.hoveredTokenProperty().addListener((o, a, t) -> heatmap.setHighlightedToken(t.intValue()));
        viewState.hideSinksProperty().addListener((o, a, hide) -> {
            if (shown != null) {
                show(shown);
            }
        });
        heatmap.setOnHover(this::describe);
        heatmap.selectedQueryProperty().addListener((o, a, b) -> cellsChanged());
        heatmap.selectedKeyProperty().addListener((o, a, b) -> cellsChanged());
        qkFollow.setId("qk-follow");
        qkFollow.selectedProperty().addListener((o, a, follow) -> {
            if (!updating && shown != null) {
                model.setQkHead(follow ? -1 : shown.layer(), follow ? -1 : shown.headOrFirst());
                project();
            }
        });

        keys = new KeysChoice("head-keys", model::setKeysByClass);
        HBox bar = Controls.paddedToolbar(new Label("Layer"), layer, new Label("Head"), head, log, keys.node(), readout);
        hint.setText(HEATMAP_HINT);
        hint.getStyleClass().add(Styles.MUTED);
        keyClasses.setId("key-classes");
        keyClasses.managedProperty().bind(keyClasses.visibleProperty());
        classMap.setId("head-class-map");
        overlay.setId("head-patch-overlay");
        overlayHint.setId("head-overlay-hint");
        overlayHint.setWrapText(true);
        classMap.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
            int[] cell = classFigure == null ? null : classFigure.cellAt(x, y);
            if (cell != null) {
                heatmap.selectedQueryProperty().set(cell[0]); // saved and described as a heatmap row click is
            }
        });
        // keys by class: the map takes the heatmap's place, the query's image overlay the head view's (it is wide)
        overlayHint.setMinHeight(Region.USE_PREF_SIZE);
        overlayHint.setPadding(new Insets(0, 4, 0, 4));
        overlayBox = new VBox(4, overlayHint, overlay);
        VBox.setVgrow(overlay, Priority.ALWAYS);
        left = new VBox(4, heatmap, selectionInfo, keyClasses, hint);
        left.setPadding(new Insets(0, 4, 4, 8));
        VBox.setVgrow(heatmap, Priority.ALWAYS);
        VBox.setVgrow(classMap, Priority.ALWAYS);

        // the head view takes the room it gets; a long input's, too tall to read at half size, scrolls
        headViewPane = new ScrollPane(headView);
        headViewPane.setFitToWidth(true);
        headViewPane.setFitToHeight(true);
        headViewPane.setMinSize(80, 60);
        HBox qkBar = new HBox(6, new Label("q/k of"), qkFollow, new Label("or layer"), qkLayer, new Label("head"), qkHead);
        qkBar.setAlignment(Pos.CENTER_LEFT);
        qkStatus.setWrapText(true); // the caption wraps rather than being cut at 1280×800
        qkStatus.setMinHeight(Region.USE_PREF_SIZE);
        qkStatus.setPadding(new Insets(0, 4, 2, 4));
        VBox qk = new VBox(2, qkBar, scatter.view(), qkStatus);
        VBox.setVgrow(scatter.view(), Priority.ALWAYS);
        right = new SplitPane(headViewPane, qk);
        right.setOrientation(Orientation.VERTICAL);
        SplitPane split = new SplitPane(left, right);
        split.setDividerPositions(0.55); // the head view and the q/k plot get room too
        root.setTop(bar);
        root.setCenter(split);
    }

    private void headChosen() {
        if (!updating) {
            model.select(layer.getValue(), head.getValue());
        }
    }

    private void qkHeadChosen() {
        if (!updating && !qkFollow.isSelected()) {
            model.setQkHead(qkLayer.getValue(), qkHead.getValue());
            project();
        }
    }

    public HeatmapView heatmap() {
        return heatmap;
    }

    /** BertViz's head view, with the readout of the line under the cursor. */
    public FigureView headView() {
        return headView;
    }

    public QkScatter scatter() {
        return scatter;
    }

    @Override
    public void show(Session session) {
        AnalysisResult r = session.result();
        int l = session.layer();
        int h = session.headOrFirst();
        boolean hide = viewState.hideSinksProperty().get();
        TokenClasses runClasses = model.classes(r.input());
        boolean groupKeys = keys.show(session.selection().keysByClass(), runClasses != null);
        boolean changed = shown == null || shown.result() != r || shown.layer() != l || shown.headOrFirst() != h
                || hide != shownWithSinksHidden || groupKeys != byClass;
        classes = runClasses;
        byClass = groupKeys;
        javafx.scene.Node matrixNode = byClass ? classMap : heatmap;
        if (left.getChildren().get(0) != matrixNode) {
            left.getChildren().set(0, matrixNode);
            double divider = right.getDividerPositions()[0];
            right.getItems().set(0, byClass ? overlayBox : headViewPane);
            right.setDividerPositions(divider);
        }
        hint.setText(byClass ? CLASS_HINT : HEATMAP_HINT);
        updating = true;
        Controls.fit(layer, r.attention().layers(), l);
        Controls.fit(head, r.attention().heads(), h);
        updating = false;
        log.setSelected(session.logScale());
        if (!changed) {
            shown = session;
            return;
        }
        shown = session;
        heatmap.setLogScale(session.logScale());
        shownWithSinksHidden = hide;
        // "hide sinks and renormalise" applies here too
        Object request = new Object();
        matrixRequest = request;
        model.drawHead(session, l, h, hide, pictures -> {
            if (matrixRequest == request) {
                drawMatrix(pictures.matrix());
                headView.show(pictures.headView(), pictures.headViewImage());
            }
        });
        readout.setText("");
        project();
    }

    private void drawMatrix(float[] m) {
        AnalysisResult r = shown.result();
        matrix = m;
        int t = r.attention().length();
        updating = true; // a new matrix clears the selection; the saved one is restored below
        heatmap.setMatrix(matrix, t, r.input().tokens());
        String line = KeyClasses.line(matrix, t, classes);
        keyClasses.setText(line);
        keyClasses.setVisible(line != null);
        Selection st = model.selection();
        heatmap.selectedQueryProperty().set(st.query() < t ? st.query() : -1);
        heatmap.selectedKeyProperty().set(st.key() < t ? st.key() : -1);
        updating = false;
        heatmap.setHighlightedToken(viewState.hoveredTokenProperty().get());
        if (byClass) {
            classFigure = (MatrixFigure) ViewFigures.headByClass(shown, matrix, classes, "layer " + shown.layer() + ", head "
                    + shown.headOrFirst() + " \u00B7 keys by class");
            classMap.show(classFigure);
        }
        describeSelection();
        showQuery();
    }

    /** Keys by class: frames the selected query's row and draws its attention over the image. */
    private void showQuery() {
        int q = heatmap.selectedQueryProperty().get();
        if (!byClass || classFigure == null) {
            return;
        }
        classMap.clearMarks();
        boolean picked = q >= 0 && q < classFigure.rows();
        if (picked) {
            classMap.mark(classFigure.cells(q, q + 1, 0, classFigure.cols()));
        }
        boolean image = classes.imageCount() > 0;
        if (!image || !picked) {
            overlayRequest = null;
            overlay.setVisible(false);
            overlayHint.setText(image ? "click a query row: its attention over the image shows here" : "");
            return;
        }
        Object request = new Object();
        overlayRequest = request;
        int l = shown.layer();
        int h = shown.headOrFirst();
        overlayHint.setText(String.format(Locale.ROOT, "query %d “%s” over the image (layer %d, head %d)…", q,
                Labels.shorten(shown.tokens()[q]), l, h));
        model.patchOverlay(shown, classes, l, h, q, figure -> {
            if (overlayRequest == request) {
                overlay.show(figure);
                overlay.setVisible(true);
                overlayHint.setText(String.format(Locale.ROOT, "query %d “%s” over the image (layer %d, head %d; "
                        + "the VLM page marks the visual sinks)", q, Labels.shorten(shown.tokens()[q]), l, h));
            }
        }, problem -> {
            if (overlayRequest == request) {
                overlayHint.setText("patch overlay: " + problem);
            }
        });
    }

    /** With keys by class, the head's queries × classes map as shown (export writes it); by position, the heatmap. */
    @Override
    public OwnFigure ownFigure() {
        if (!byClass) {
            return null;
        }
        String title = ViewKind.HEATMAP.title() + ", keys by class";
        return classFigure != null ? OwnFigure.of(title, "heatmap-classes", classFigure)
                : OwnFigure.notYet(title, "heatmap-classes", "the head is still being read");
    }

    /** The "Keys: by position | by class" control. */
    public KeysChoice keysChoice() {
        return keys;
    }

    /** Keys by class: the head's queries × classes map. */
    public FigureView classMap() {
        return classMap;
    }

    /** Keys by class: the selected query's attention over the image. */
    public FigureView patchOverlay() {
        return overlay;
    }

    /** The selected row or column changed: saved with the session (not while a new matrix is put in place). */
    private void cellsChanged() {
        describeSelection();
        if (!updating) {
            showQuery();
        }
        if (!updating) {
            model.setCells(heatmap.selectedQueryProperty().get(), heatmap.selectedKeyProperty().get());
        }
    }

    /**
     * Shows the q/k projection of the session's q/k head (the heatmap's head unless one is pinned), computing it in
     * the background when it is not the one already shown.
     */
    private void project() {
        AnalysisResult r = shown.result();
        Selection st = model.selection();
        int layers = r.attention().layers();
        int heads = r.attention().heads();
        boolean pinned = st.qkPinned() && st.qkLayer() < layers && st.qkHead() < heads;
        int l = pinned ? st.qkLayer() : shown.layer();
        int h = pinned ? st.qkHead() : shown.headOrFirst();
        updating = true;
        qkFollow.setSelected(!pinned);
        Controls.fit(qkLayer, layers, l);
        Controls.fit(qkHead, heads, h);
        qkLayer.setDisable(!pinned);
        qkHead.setDisable(!pinned);
        updating = false;
        if (projectedRun == r && projectedHead[0] == l && projectedHead[1] == h) {
            return;
        }
        projectedRun = r;
        int[] head = {l, h};
        projectedHead = head;
        qkStatus.setText("projecting q and k of layer " + l + ", head " + h + "\u2026");
        model.projectQk(r.input(), l, h, p -> {
            if (projectedRun == r && projectedHead == head) {
                scatter.show(p, r.input().tokens());
                qkStatus.setText(String.format(Locale.ROOT, "%d queries and %d keys on their first two principal components (%.0f%% of the variance)",
                        p.queries().length, p.keys().length, 100 * (p.explained()[0] + p.explained()[1])));
            }
        }, problem -> qkStatus.setText("q/k projection: " + problem));
    }

    /** "query 2 “cat” → key 3 “sat”: 0.412" for the cell under the mouse; the token becomes the hovered one. */
    private void describe(HeatmapView.Hover at) {
        if (at == null || shown == null) {
            readout.setText("");
            return;
        }
        String[] tokens = shown.tokens();
        readout.setText(String.format(Locale.ROOT, "query %d \u201C%s\u201D \u2192 key %d \u201C%s\u201D: %.4f", at.query(),
                Labels.shorten(tokens[at.query()]), at.key(), Labels.shorten(tokens[at.key()]), at.value()));
    }

    private void describeSelection() {
        if (shown == null) {
            return;
        }
        StringBuilder text = new StringBuilder();
        String[] tokens = shown.tokens();
        int q = heatmap.selectedQueryProperty().get();
        int k = heatmap.selectedKeyProperty().get();
        float[] m = matrix;
        int t = tokens.length;
        if (m == null || m.length != t * t) {
            selectionInfo.setText("");
            return; // the head is still being read
        }
        if (q >= 0 && q < t) {
            int best = 0;
            for (int j = 1; j < t; j++) {
                best = m[q * t + j] > m[q * t + best] ? j : best;
            }
            text.append(String.format(Locale.ROOT, "row: query %d \u201C%s\u201D attends most to key %d \u201C%s\u201D (%.3f)   ", q,
                    Labels.shorten(tokens[q]), best, Labels.shorten(tokens[best]), m[q * t + best]));
        }
        if (k >= 0 && k < t) {
            double sum = 0;
            for (int i = 0; i < t; i++) {
                sum += m[i * t + k];
            }
            text.append(String.format(Locale.ROOT, "column: key %d \u201C%s\u201D receives %.3f on average", k,
                    Labels.shorten(tokens[k]), sum / t));
        }
        selectionInfo.setText(text.length() == 0 ? "no row or column selected" : text.toString().trim());
    }
}
