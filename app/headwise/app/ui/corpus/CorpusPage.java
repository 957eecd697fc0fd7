package headwise.app.ui.corpus;

import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.app.ui.page.Controls;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.page.OwnFigure;
import headwise.app.ui.page.PageBase;
import headwise.engine.corpus.CorpusAnalysis;
import headwise.engine.corpus.CorpusResults;
import headwise.viz.corpus.AtlasData;
import headwise.viz.corpus.AtlasFigure;
import headwise.viz.corpus.AtlasFigures;
import headwise.viz.corpus.HeadStatsFigure;
import headwise.viz.view.MatrixFigure;
import headwise.viz.corpus.LayerBandsFigure;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.cell.PropertyValueFactory;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.stage.WindowEvent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Corpus: run the model on every prompt of a file (embedded Spark, in the background, with progress and Cancel) or
 * open a finished run's folder, then the chosen metric's per-head distribution as an L×H map (mean, std or a
 * percentile), the metric layer by layer with its p10–p90 band, the head atlas, and the prompts where the selected
 * head scores highest and lowest, each of which opens in the normal views. All work is {@link CorpusPageModel}'s.
 */
public final class CorpusPage extends PageBase {

    public static final String TITLE = "Corpus";
    static final int RANKED = 5;

    private final CorpusPageModel model;
    private CorpusChooser chooser = CorpusChooser.dialogs();
    private final Label dataLabel = new Label("no data file");
    private final ProgressBar progress = new ProgressBar(0);
    private final Label status = new Label();
    private final ComboBox<String> metric = new ComboBox<>(FXCollections.observableArrayList(CorpusAnalysis.METRICS));
    private final ComboBox<String> statistic = new ComboBox<>(FXCollections.observableArrayList(CorpusResults.STATISTICS));
    private final Label headLabel = new Label();
    private final FigureView map = FigureView.fitting();
    private final FigureView bands = FigureView.fitting();
    private final FigureView atlas = FigureView.fitting();
    private final TableView<PromptLine> prompts = new TableView<>();
    private final Button openPrompt = new Button("Open this prompt");
    private MatrixFigure shownMap;
    private AtlasFigure shownAtlas;

    public CorpusPage(CorpusPageModel model) {
        super(TITLE, ViewKind.ATLAS); // the window's Export… writes this page's own figure (ownFigure), not this view
        this.model = model;
        root.setPadding(new Insets(8));
        root.setTop(new VBox(4, runBar(), choiceBar()));
        root.setCenter(figures());
        model.resultsProperty().addListener((o, was, now) -> redraw());
        model.metricProperty().addListener((o, was, now) -> redraw());
        model.statisticProperty().addListener((o, was, now) -> redraw());
        model.headProperty().addListener((o, was, now) -> redraw());
        // closing the window stops a run: Spark's threads must not outlive the app
        root.sceneProperty().addListener((o, was, scene) -> {
            if (scene != null && scene.getWindow() != null) {
                scene.getWindow().addEventHandler(WindowEvent.WINDOW_HIDDEN, e -> model.close());
            }
        });
        redraw();
    }

    /** Tests answer the dialogs. */
    public void setChooser(CorpusChooser chooser) {
        this.chooser = chooser;
    }

    public CorpusPageModel model() {
        return model;
    }

    private HBox runBar() {
        Button choose = button("Data file\u2026", "corpus-data", () -> {
            Path f = chooser.dataFile(window());
            if (f != null) {
                model.dataProperty().set(f);
                model.outProperty().set(null);
            }
        });
        Button run = button("Run", "corpus-run", model::run);
        run.disableProperty().bind(model.runningProperty().or(model.dataProperty().isNull()));
        Button cancel = button("Cancel", "corpus-cancel", model::cancel);
        cancel.disableProperty().bind(model.runningProperty().not());
        Button save = button("Save figures", "corpus-save-figures", () -> {
            if (shownMap != null) {
                String m = model.metricProperty().get() + "-" + model.statisticProperty().get();
                model.saveFigures(java.util.Map.of("heads-" + m, shownMap, "layers-" + model.metricProperty().get(),
                        bands.figure(), "atlas", shownAtlas));
            }
        });
        save.disableProperty().bind(model.resultsProperty().isNull());
        Button open = button("Open results\u2026", "corpus-open", () -> {
            Path dir = chooser.outputFolder(window());
            if (dir != null) {
                model.open(dir);
            }
        });
        open.disableProperty().bind(model.runningProperty());
        dataLabel.setId("corpus-data-file");
        dataLabel.textProperty().bind(Bindings.createStringBinding(() -> model.dataProperty().get() == null ? "no data file"
                : model.dataProperty().get().getFileName().toString(), model.dataProperty()));
        progress.setId("corpus-progress");
        progress.setPrefWidth(180);
        progress.progressProperty().bind(Bindings.createDoubleBinding(() -> model.progressProperty().get() == null
                ? (model.runningProperty().get() ? -1 : 0) : model.progressProperty().get().fraction(), model.progressProperty(), model.runningProperty()));
        status.setId("corpus-status");
        status.textProperty().bind(model.statusProperty());
        status.setMinWidth(0);
        HBox.setHgrow(status, Priority.ALWAYS);
        for (javafx.scene.control.Control c : List.of(choose, dataLabel, run, cancel, open, save, progress)) {
            c.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // the status line gives way, never the buttons
        }
        dataLabel.setMaxWidth(220);
        return Controls.toolbar(choose, dataLabel, run, cancel, open, save, progress, status);
    }

    private HBox choiceBar() {
        metric.setId("corpus-metric");
        metric.valueProperty().bindBidirectional(model.metricProperty());
        statistic.setId("corpus-statistic");
        statistic.valueProperty().bindBidirectional(model.statisticProperty());
        headLabel.setId("corpus-head");
        return Controls.toolbar(new Label("Metric"), metric, new Label("Statistic over prompts"), statistic, headLabel);
    }

    private ScrollPane figures() {
        map.setId("corpus-map");
        bands.setId("corpus-bands");
        atlas.setId("corpus-atlas");
        map.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
            int[] lh = shownMap == null ? null : shownMap.cellAt(x, y);
            if (lh != null) {
                model.headProperty().set(lh[0] * model.resultsProperty().get().heads() + lh[1]);
            }
        });
        atlas.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
            int index = shownAtlas == null ? -1 : shownAtlas.headAt(x, y);
            if (index >= 0) {
                model.headProperty().set(index);
            }
        });
        prompts.setId("corpus-prompts");
        prompts.getColumns().setAll(List.of(column("", "rank", 110), column("prompt", "prompt", 60), column("line", "line", 50),
                column("id", "id", 80), column("label", "label", 80), column("tokens", "tokens", 60), column("value", "value", 80)));
        prompts.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        prompts.setPlaceholder(new Label("no corpus results yet"));
        openPrompt.setId("corpus-open-prompt");
        openPrompt.disableProperty().bind(prompts.getSelectionModel().selectedItemProperty().isNull());
        openPrompt.setOnAction(e -> {
            PromptLine line = prompts.getSelectionModel().getSelectedItem();
            if (line != null) {
                model.openPrompt(line.row());
            }
        });
        prompts.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && prompts.getSelectionModel().getSelectedItem() != null) {
                model.openPrompt(prompts.getSelectionModel().getSelectedItem().row());
            }
        });
        VBox table = new VBox(6, Controls.bold("Prompts where the selected head scores highest and lowest"), prompts, openPrompt);
        VBox.setVgrow(prompts, Priority.ALWAYS);
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        ScrollPane scroll = Controls.sharedColumns(grid, 2);
        grid.add(Controls.sized(new StackPane(map), scroll, 0.5, 260), 0, 0);
        grid.add(Controls.sized(new StackPane(bands), scroll, 0.5, 260), 1, 0);
        // the atlas is square: its row is taller, and the page scrolls to it on a small window
        grid.add(Controls.sized(new StackPane(atlas), scroll, 0.85, 400), 0, 1);
        grid.add(Controls.sized(table, scroll, 0.85, 400), 1, 1);
        return scroll;
    }

    private static TableColumn<PromptLine, Object> column(String title, String property, double width) {
        TableColumn<PromptLine, Object> c = new TableColumn<>(title);
        c.setCellValueFactory(new PropertyValueFactory<>(property));
        c.setPrefWidth(width);
        c.setSortable(false);
        return c;
    }

    private static Button button(String text, String id, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> action.run());
        return b;
    }

    private Window window() {
        return root.getScene() == null ? null : root.getScene().getWindow();
    }

    /** The window's Export… writes the corpus map of the chosen metric and statistic, as shown ("Save figures" writes all three). */
    @Override
    public OwnFigure ownFigure() {
        return model.resultsProperty().get() == null || shownMap == null
                ? OwnFigure.notYet(TITLE, "corpus", "no corpus results yet: run a data file or open a finished run")
                : OwnFigure.of("Corpus: " + model.metricProperty().get() + " (" + model.statisticProperty().get() + ") per head",
                        "corpus-heads-" + model.metricProperty().get() + "-" + model.statisticProperty().get(), shownMap);
    }

    @Override
    public void show(Session session) {
        // the corpus results do not depend on the current input
    }

    private void redraw() {
        CorpusResults r = model.resultsProperty().get();
        boolean any = r != null;
        for (FigureView v : List.of(map, bands, atlas)) {
            v.setVisible(any);
        }
        if (!any) {
            prompts.getItems().clear();
            headLabel.setText("");
            return;
        }
        String m = model.metricProperty().get();
        String s = model.statisticProperty().get();
        int index = Math.min(model.headProperty().get(), r.layers() * r.heads() - 1);
        int layer = index / r.heads();
        int head = index % r.heads();
        headLabel.setText("selected: layer " + layer + ", head " + head + " (click a head in the map or the atlas)");
        shownMap = HeadStatsFigure.of(m + ": " + s + " over " + r.prompts() + " prompts",
                "layers (rows) \u00d7 heads (columns); grey: the metric applied to no prompt", r.headStats().get(m).get(s), s);
        map.show(shownMap);
        map.mark(shownMap.cells(layer, layer + 1, head, head + 1));
        var layerStats = r.layerStats().get(m);
        bands.show(new LayerBandsFigure(m + " by layer", m, layerStats.get("p10"), layerStats.get("p50"), layerStats.get("p90"),
                layerStats.get("mean")));
        AtlasData data = AtlasData.ofCorpus(r);
        shownAtlas = AtlasFigures.figure(data, AtlasFigures.BY_TYPE, m);
        atlas.show(shownAtlas);
        var c = shownAtlas.centre(index);
        double rad = shownAtlas.radius(index) + 3;
        atlas.mark(new java.awt.geom.Rectangle2D.Double(c.getX() - rad, c.getY() - rad, 2 * rad, 2 * rad));
        List<PromptLine> lines = new ArrayList<>();
        List<CorpusResults.Ranked> high = model.ranked(true, RANKED);
        for (int i = 0; i < high.size(); i++) {
            lines.add(new PromptLine("highest #" + (i + 1), high.get(i)));
        }
        List<CorpusResults.Ranked> low = model.ranked(false, RANKED);
        for (int i = 0; i < low.size(); i++) {
            lines.add(new PromptLine("lowest #" + (i + 1), low.get(i)));
        }
        prompts.getItems().setAll(lines);
    }
}
