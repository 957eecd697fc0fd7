package headwise.app.ui.vlm;

import headwise.app.export.ViewKind;
import headwise.app.export.VlmViews;
import headwise.app.session.Session;
import headwise.app.ui.page.Controls;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.page.PageBase;
import headwise.engine.vlm.analysis.ClassShares;
import headwise.engine.vlm.analysis.HeadDivergence;
import headwise.engine.vlm.analysis.PatchAttention;
import headwise.engine.vlm.analysis.VisualSinks;
import headwise.viz.Figure;
import headwise.viz.draw.ValueScale;
import headwise.viz.view.MatrixFigure;
import headwise.viz.vlm.HeadDivergenceFigure;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Vision-language models (docs/vlm.md): how attention is shared between system, text, image and generated keys per
 * head and layer; the attention of any query drawn over the image with the visual sinks marked; VAR on those sinks
 * with the output change; the heads whose output the image changes most (VHD, clickable); FlowCut's pruning curves.
 * Everything is computed by {@link VlmPageModel}'s background jobs; this page only draws.
 */
public final class VlmPage extends PageBase {

    public static final String TITLE = "VLM";
    /** The head choice that averages the heads. */
    static final String MEAN = "mean of heads";
    /** The sinks listed by name (strongest first); the overlay numbers them all. */
    static final int SINKS_LISTED = 8;

    private final VlmPageModel model;
    private final ComboBox<ClassShares.Rows> rows = new ComboBox<>();
    private final Spinner<Double> tau = new Spinner<>();
    private final ComboBox<String> query = new ComboBox<>();
    private final Spinner<Integer> layer = Controls.indexSpinner("vlm-layer", 70, this::drawOverlay);
    private final ComboBox<String> head = new ComboBox<>();
    private final Button var = new Button("Run VAR");
    private final Button vhd = new Button("Head divergence");
    private final Button flowCut = new Button("FlowCut curves");
    private final Button cancel = new Button("Cancel");
    private final Button export = new Button("Export figures\u2026");
    private final ProgressBar progress = new ProgressBar(0);
    private final Label message = new Label();
    private final Label status = new Label();
    private final FigureView shares = new FigureView();
    private final FigureView overlay = FigureView.fitting();
    private final Label sinks = new Label();
    private final Label varOutcome = new Label();
    private final FigureView vhdMap = new FigureView();
    private final ListView<HeadDivergence.RankedHead> topHeads = new ListView<>();
    private final FigureView pruning = FigureView.fitting();
    private final VBox content;
    private final ScrollPane scroll;
    private final Label notJoined = new Label();
    private MatrixFigure vhdFigure;
    private Object overlayRequest;
    private boolean layerFitted;
    /** Asks for the folder the figures go to (a directory chooser; tests answer it). */
    private Function<Window, Path> folders = VlmPage::chooseFolder;
    private Session session;
    private boolean updating;

    public VlmPage(VlmPageModel model) {
        super(TITLE, ViewKind.MODEL_VIEW);
        this.model = model;
        rows.setId("vlm-rows");
        rows.getItems().setAll(ClassShares.Rows.values());
        rows.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(ClassShares.Rows r) {
                return r == null ? "" : VlmViews.rowsName(r);
            }

            @Override
            public ClassShares.Rows fromString(String text) {
                return null; // not editable
            }
        });
        rows.valueProperty().bindBidirectional(model.rowsProperty());
        tau.setId("vlm-tau");
        tau.setPrefWidth(80);
        tau.setEditable(true);
        tau.setValueFactory(new SpinnerValueFactory.DoubleSpinnerValueFactory(0.1, 100, 20, 0.5));
        query.setId("vlm-query");
        head.setId("vlm-head");
        var.setId("vlm-var");
        vhd.setId("vlm-vhd");
        flowCut.setId("vlm-flowcut");
        cancel.setId("vlm-cancel");
        status.setId("vlm-status");
        sinks.setId("vlm-sinks");
        varOutcome.setId("vlm-var-outcome");
        shares.setId("vlm-shares");
        overlay.setId("vlm-overlay");
        vhdMap.setId("vlm-vhd-map");
        topHeads.setId("vlm-top-heads");
        pruning.setId("vlm-pruning");

        var.setOnAction(e -> model.runVar());
        vhd.setOnAction(e -> model.runDivergence());
        flowCut.setOnAction(e -> model.runFlowCut());
        cancel.setOnAction(e -> model.cancel());
        export.setId("vlm-export");
        export.disableProperty().bind(model.busyProperty().or(model.basicsProperty().isNull()));
        export.setOnAction(e -> {
            Path folder = folders.apply(root.getScene() == null ? null : root.getScene().getWindow());
            if (folder != null) {
                model.exportFigures(folder, shownFigures());
            }
        });
        cancel.disableProperty().bind(model.busyProperty().not());
        for (Button b : List.of(var, vhd, flowCut)) {
            b.disableProperty().bind(model.busyProperty().or(model.basicsProperty().isNull()));
        }
        progress.progressProperty().bind(model.progressProperty());
        progress.visibleProperty().bind(model.busyProperty());
        progress.setPrefWidth(120);
        message.textProperty().bind(model.messageProperty());
        message.visibleProperty().bind(model.busyProperty());
        status.textProperty().bind(model.statusProperty());
        query.valueProperty().addListener((o, was, now) -> drawOverlay());
        head.valueProperty().addListener((o, was, now) -> drawOverlay());
        rows.valueProperty().addListener((o, was, now) -> refresh());
        tau.valueProperty().addListener((o, was, now) -> {
            if (!updating && now != null && now != model.tauProperty().get()) {
                model.tauProperty().set(now);
                refresh();
            }
        });
        model.basicsProperty().addListener((o, was, now) -> drawBasics());
        model.varProperty().addListener((o, was, now) -> drawVar());
        model.divergenceProperty().addListener((o, was, now) -> drawDivergence());
        model.flowProperty().addListener((o, was, now) -> drawFlow());

        vhdMap.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
            int[] cell = vhdFigure == null ? null : vhdFigure.cellAt(x, y);
            if (cell != null) {
                model.openHead(cell[0], cell[1]);
            }
        });
        topHeads.setPrefSize(220, 160);
        topHeads.setCellFactory(list -> new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(HeadDivergence.RankedHead h, boolean empty) {
                super.updateItem(h, empty);
                setText(empty || h == null ? null : String.format(Locale.ROOT, "L%d H%d   VHD %.4g", h.layer(), h.head(), h.vhd()));
            }
        });
        topHeads.setOnMouseClicked(e -> {
            HeadDivergence.RankedHead h = topHeads.getSelectionModel().getSelectedItem();
            if (h != null) {
                model.openHead(h.layer(), h.head());
            }
        });
        sinks.setStyle("-fx-font-family: monospace;");
        varOutcome.setWrapText(true);
        varOutcome.setStyle("-fx-font-family: monospace;");
        notJoined.setId("vlm-not-joined");
        notJoined.setWrapText(true);
        notJoined.setPadding(new Insets(20));

        sinks.setWrapText(true);
        VBox side = new VBox(6, Controls.bold("Visual sinks"), sinks, var, Controls.bold("VAR: output change"), varOutcome);
        side.setMinWidth(360);
        side.setMaxWidth(360);
        content = new VBox(12);
        scroll = new ScrollPane(content);
        scroll.setFitToWidth(true); // the figures that can shrink do, so nothing scrolls sideways
        StackPane overlayBox = Controls.sized(Controls.box(overlay), scroll, 0.7, 320);
        overlayBox.setMaxHeight(Region.USE_PREF_SIZE); // as tall as asked, whatever the sinks' column beside it needs
        HBox.setHgrow(overlayBox, Priority.ALWAYS);
        StackPane pruningBox = Controls.sized(Controls.box(pruning), scroll, 0.7, 300);
        content.getChildren().setAll(
                section("Token-class shares: which kind of key each head attends to", shares),
                section("The chosen query's attention over the image", top(new HBox(16, overlayBox, side))),
                section("Vision-aware head divergence: click a head to open it", new HBox(16, vhdMap, new VBox(6, vhd, topHeads))),
                section("FlowCut: pruning image tokens by information flow vs single-layer attention", new VBox(6, flowCut, pruningBox)));
        content.setPadding(new Insets(4));
        root.setPadding(new Insets(8));
        root.setTop(new VBox(4,
                Controls.toolbar(new Label("Shares over rows"), rows, new Label("   Sink \u03c4"), tau, new Label("   Query"), query,
                        new Label("Layer"), layer, new Label("Head"), head),
                Controls.toolbar(export, cancel, progress, message, status)));
        root.setCenter(notJoined);
    }

    VlmPageModel model() {
        return model;
    }

    FigureView sharesView() {
        return shares;
    }

    FigureView overlayView() {
        return overlay;
    }

    FigureView vhdView() {
        return vhdMap;
    }

    MatrixFigure vhdFigure() {
        return vhdFigure;
    }

    FigureView pruningView() {
        return pruning;
    }

    /** Where "Export figures…" writes (tests give a folder instead of the dialog). */
    public void setFolderChooser(Function<Window, Path> chooser) {
        folders = chooser;
    }

    private static Path chooseFolder(Window owner) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Export the VLM figures to");
        File folder = chooser.showDialog(owner);
        return folder == null ? null : folder.toPath();
    }

    /** The figures on the page now, by the names export --view gives them; VHD with its top heads framed. */
    private Map<String, Figure> shownFigures() {
        Map<String, Figure> out = new LinkedHashMap<>();
        if (shares.figure() != null) {
            out.put("vlm-shares", shares.figure());
        }
        if (overlay.figure() != null) {
            out.put("vlm-overlay", overlay.figure());
        }
        VlmPageModel.Divergence d = model.divergenceProperty().get();
        if (d != null && session != null && d.result() == session.result()) {
            out.put("vlm-vhd", new HeadDivergenceFigure("Vision-aware head divergence", d.vhd(), VlmViews.TOP_HEADS));
        }
        if (pruning.isVisible() && pruning.figure() != null) {
            out.put("vlm-pruning", pruning.figure());
        }
        return out;
    }

    private static HBox top(HBox row) {
        row.setAlignment(Pos.TOP_LEFT);
        row.setFillHeight(false);
        return row;
    }

    private static VBox section(String title, javafx.scene.Node body) {
        VBox box = new VBox(6, Controls.bold(title), body);
        box.setAlignment(Pos.TOP_LEFT);
        return box;
    }

    @Override
    public void show(Session s) {
        session = s;
        boolean joined = VlmPageModel.joined(s);
        root.getTop().setVisible(joined);
        root.setCenter(joined ? scroll : notJoined);
        if (!joined) {
            notJoined.setText(notJoinedMessage(model.modelName(), model.isVisionLanguage()));
            return;
        }
        model.newRun(s);
        updating = true;
        tau.getValueFactory().setValue(model.tauProperty().get());
        updating = false;
        refresh();
        drawVar();
        drawDivergence();
        drawFlow();
    }

    /** Why the page shows nothing: the open model is text-only (named), or a vision-language run has no image. */
    static String notJoinedMessage(String modelName, boolean visionLanguage) {
        if (visionLanguage) {
            return "This page needs a vision-language model's text joined with an image: open an image (File > Open image\u2026) "
                    + "and run again.";
        }
        return "This page needs a vision-language model: " + (modelName == null ? "no model is open" : modelName
                + " is a text-only model, so its runs have no image, no image tokens and no token classes")
                + ". Open a LLaVA folder (File > Open model folder\u2026) to use it.";
    }

    /** Draws the basics on hand, or asks for them when they belong to another run or choice. */
    private void refresh() {
        if (!VlmPageModel.joined(session)) {
            return;
        }
        if (model.hasBasics(session)) {
            drawBasics();
        } else if (!model.busyProperty().get() || !model.messageProperty().get().startsWith("Token classes")) {
            model.computeBasics(session);
        }
    }

    private void drawBasics() {
        VlmPageModel.Basics b = model.basicsProperty().get();
        if (b == null || session == null || b.result() != session.result()) {
            return;
        }
        shares.show(VlmViews.shares("Token-class attention shares", b.shares(), b.rows()));
        String[] tokens = b.result().input().tokens();
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if (!b.classes().isImage(i)) {
                queries.add(i + ": " + tokens[i]);
            }
        }
        int heads = b.result().attention().heads();
        List<String> headChoices = new ArrayList<>(List.of(MEAN));
        for (int h = 0; h < heads; h++) {
            headChoices.add("H" + h);
        }
        String q = query.getValue();
        String hd = head.getValue();
        updating = true;
        query.getItems().setAll(queries);
        query.setValue(q != null && queries.contains(q) ? q : queries.get(queries.size() - 1));
        head.getItems().setAll(headChoices);
        head.setValue(hd != null && headChoices.contains(hd) ? hd : MEAN);
        int layers = b.result().attention().layers();
        Controls.fit(layer, layers, layerFitted ? Math.min(layer.getValue(), layers - 1) : layers - 1); // first: the last layer
        layerFitted = true;
        updating = false;
        StringBuilder list = new StringBuilder();
        List<VisualSinks.VisualSink> found = b.sinks().sinks();
        for (int i = 0; i < Math.min(SINKS_LISTED, found.size()); i++) {
            VisualSinks.VisualSink s = found.get(i);
            list.append(String.format(Locale.ROOT, "%2d. %s  \u03c6 %.3g  %d layer%s%n", i + 1, s.label(), s.score(),
                    s.layers(), s.layers() == 1 ? "" : "s"));
        }
        if (found.size() > SINKS_LISTED) {
            list.append("\u2026 and ").append(found.size() - SINKS_LISTED).append(" more");
        }
        sinks.setText(!b.sinks().sinks().isEmpty() ? list.toString().stripTrailing() : b.sinks().dimensions().length == 0
                ? String.format(Locale.ROOT, "none: the first token has no channel above \u03c4 = %.3g, so there are no sink "
                + "dimensions (a lower \u03c4 may find some)", b.sinks().options().tau())
                : String.format(Locale.ROOT, "none: no patch passes \u03c4 = %.3g in the sink dimensions %s from layer %d on",
                b.sinks().options().tau(), java.util.Arrays.toString(b.sinks().dimensions()), b.sinks().options().fromLayer()));
        drawOverlay();
    }

    private void drawOverlay() {
        VlmPageModel.Basics b = model.basicsProperty().get();
        if (updating || b == null || session == null || b.result() != session.result() || query.getValue() == null
                || head.getValue() == null || layer.getValue() == null) {
            return;
        }
        int q = Integer.parseInt(query.getValue().substring(0, query.getValue().indexOf(':')));
        int h = MEAN.equals(head.getValue()) ? PatchAttention.MEAN_OF_HEADS : Integer.parseInt(head.getValue().substring(1));
        Object request = new Object();
        overlayRequest = request;
        model.overlay(session, b, layer.getValue(), h, q, figure -> {
            if (overlayRequest == request) { // a newer choice replaces this one
                overlay.show(figure);
            }
        });
    }

    private void drawVar() {
        VlmPageModel.Var v = model.varProperty().get();
        if (v == null || session == null || v.result() != session.result()) {
            varOutcome.setText("Run VAR to see how the output changes when the sinks' attention goes to the other patches.");
            return;
        }
        var out = v.outcome();
        int redirected = java.util.Arrays.stream(out.redirected()).flatMapToInt(java.util.Arrays::stream).sum();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "KL %.3g, %d rows redistributed%n%-19s | %s%n",
                out.shift().kl(), redirected, "clean", "with VAR"));
        for (int i = 0; i < Math.max(v.cleanTop().length, v.shiftedTop().length); i++) {
            text.append(String.format(Locale.ROOT, "%-19s | %s%n", i < v.cleanTop().length ? v.cleanTop()[i] : "",
                    i < v.shiftedTop().length ? v.shiftedTop()[i] : ""));
        }
        if (redirected == 0) {
            text.append("(no image-centric row had a visual sink to move in the layers VAR works on: from layer ")
                    .append(model.basicsProperty().get().sinks().options().fromLayer()).append(" to the last but one)");
        }
        varOutcome.setText(text.toString().strip());
    }

    private void drawDivergence() {
        VlmPageModel.Divergence d = model.divergenceProperty().get();
        boolean shown = d != null && session != null && d.result() == session.result();
        vhdMap.setVisible(shown);
        vhdMap.setManaged(shown);
        if (!shown) {
            vhdFigure = null;
            topHeads.getItems().clear();
            return;
        }
        double[][] map = d.vhd().map();
        double max = java.util.Arrays.stream(map).flatMapToDouble(java.util.Arrays::stream).max().orElse(1);
        int cell = Math.max(12, Math.min(40, 320 / Math.max(map.length, map[0].length)));
        vhdFigure = MatrixFigure.of("VHD per head", "\u2016z(image, text) \u2212 z(text)\u2016\u2082 of each head's output at "
                        + d.vhd().answers().length + " answer position(s)", map, MatrixFigure.indexLabels("L", map.length),
                MatrixFigure.indexLabels("H", map[0].length), cell, ValueScale.linear(0, max > 0 ? max : 1), cell >= 28, "VHD");
        vhdMap.show(vhdFigure);
        List<HeadDivergence.RankedHead> ranked = d.vhd().ranked();
        topHeads.getItems().setAll(ranked.subList(0, Math.min(10, ranked.size())));
    }

    private void drawFlow() {
        VlmPageModel.Flow f = model.flowProperty().get();
        boolean shown = f != null && session != null && f.result() == session.result();
        pruning.setVisible(shown);
        pruning.setManaged(shown);
        if (shown) {
            pruning.show(VlmViews.pruningFigure(f.curves()));
        }
    }
}
