package headwise.app.ui.probe;

import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.app.ui.page.Controls;
import headwise.app.ui.page.FigureView;
import headwise.app.ui.page.OwnFigure;
import headwise.app.ui.page.PageBase;
import headwise.engine.analysis.probe.Pooling;
import headwise.engine.analysis.probe.ProbeAttention;
import headwise.engine.analysis.probe.ProbeResult;
import headwise.viz.view.MatrixFigure;
import headwise.viz.view.ProbeFigure;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.jfree.chart.fx.ChartViewer;

import java.nio.file.Path;

/**
 * Probing (docs/probing.md): at which block does the model make a label readable? Choose a labelled file, run the
 * linear (and attentive) probes on the current model in the background, and read accuracy, F1 or AUC per block for
 * every probe on one chart (with noise on the embeddings and a lower-precision copy when asked), the depth marked;
 * the per-head map (a click selects the head everywhere) and the attentive probe's attention over one test example.
 * All work is {@link ProbingPageModel}'s; this page only draws.
 */
public final class ProbingPage extends PageBase {

    public static final String TITLE = "Probing";

    private final ProbingPageModel model;
    private final ProbeFiles files;
    private final Label file = new Label("no file");
    private final Button run = new Button("Run");
    private final Button cancel = new Button("Cancel");
    private final ProgressBar progress = new ProgressBar(0);
    private final Label message = new Label();
    private final Label status = new Label();
    private final Spinner<Integer> attentionBlock = Controls.indexSpinner("probe-attention-block", 70, this::drawAttention);
    private final ChartViewer chart = new ChartViewer(null);
    private final FigureView heads = new FigureView();
    private final FigureView attention = new FigureView();
    private MatrixFigure headFigure;

    /** @param files the dialogs (a test's own, or {@link FxProbeFiles}) */
    public ProbingPage(ProbingPageModel model, ProbeFiles files) {
        super(TITLE, ViewKind.LAYERS); // the window's Export… writes this page's own figure (ownFigure), not this view
        this.model = model;
        this.files = files;

        Button choose = new Button("Labelled file\u2026");
        choose.setId("probe-choose");
        choose.setOnAction(e -> {
            Path chosen = files.dataFile(root.getScene() == null ? null : root.getScene().getWindow());
            if (chosen != null) {
                model.dataProperty().set(chosen);
            }
        });
        file.setId("probe-file");
        model.dataProperty().addListener((o, was, now) -> file.setText(now == null ? "no file" : now.getFileName().toString()));

        ComboBox<Pooling> position = new ComboBox<>();
        position.setId("probe-position");
        position.getItems().setAll(Pooling.values());
        position.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Pooling p) {
                return p == null ? "" : p.name().toLowerCase(java.util.Locale.ROOT);
            }

            @Override
            public Pooling fromString(String text) {
                return Pooling.parse(text);
            }
        });
        position.valueProperty().bindBidirectional(model.poolingProperty());
        CheckBox attentive = new CheckBox("Attentive, queries");
        attentive.setId("probe-attentive");
        attentive.selectedProperty().bindBidirectional(model.attentiveProperty());
        Spinner<Integer> queries = new Spinner<>(1, 64, model.queriesProperty().get());
        queries.setId("probe-queries");
        queries.setPrefWidth(70);
        queries.valueProperty().addListener((o, was, now) -> model.queriesProperty().set(now));
        model.queriesProperty().addListener((o, was, now) -> queries.getValueFactory().setValue(now.intValue()));
        queries.disableProperty().bind(attentive.selectedProperty().not());
        Spinner<Double> noise = new Spinner<>(0.0, 100.0, model.noiseProperty().get(), 0.1);
        noise.setId("probe-noise");
        noise.setEditable(true);
        noise.setPrefWidth(80);
        noise.valueProperty().addListener((o, was, now) -> model.noiseProperty().set(now));
        model.noiseProperty().addListener((o, was, now) -> noise.getValueFactory().setValue(now.doubleValue()));
        Spinner<Integer> example = new Spinner<>();
        example.setId("probe-example");
        example.setEditable(true);
        example.setPrefWidth(110);
        javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory examples =
                new javafx.scene.control.SpinnerValueFactory.IntegerSpinnerValueFactory(-1, Integer.MAX_VALUE, -1);
        examples.setConverter(new javafx.util.StringConverter<>() { // −1 reads as what it means
            @Override
            public String toString(Integer value) {
                return value == null || value < 0 ? "first test" : value.toString();
            }

            @Override
            public Integer fromString(String text) {
                try {
                    return Math.max(-1, Integer.parseInt(text.trim()));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        });
        example.setValueFactory(examples);
        example.valueProperty().addListener((o, was, now) -> model.attentionExampleProperty().set(now));
        model.attentionExampleProperty().addListener((o, was, now) -> examples.setValue(now.intValue()));
        example.disableProperty().bind(attentive.selectedProperty().not());
        ComboBox<String> precision = new ComboBox<>();
        precision.setId("probe-precision");
        precision.getItems().setAll(ProbingPageModel.lowPrecisionChoices());
        precision.valueProperty().bindBidirectional(model.lowPrecisionProperty());

        run.setId("probe-run");
        run.setOnAction(e -> model.run());
        run.disableProperty().bind(model.busyProperty());
        cancel.setId("probe-cancel");
        cancel.setOnAction(e -> model.cancel());
        cancel.disableProperty().bind(model.busyProperty().not());
        progress.setId("probe-progress");
        progress.progressProperty().bind(model.progressProperty());
        progress.visibleProperty().bind(model.busyProperty());
        progress.setPrefWidth(140);
        message.textProperty().bind(model.messageProperty());
        message.visibleProperty().bind(model.busyProperty());

        ComboBox<ProbingPageModel.Metric> metric = new ComboBox<>();
        metric.setId("probe-metric");
        metric.getItems().setAll(ProbingPageModel.Metric.values());
        metric.valueProperty().bindBidirectional(model.metricProperty());
        Button exportFigure = new Button("Export figure\u2026");
        exportFigure.setId("probe-export-figure");
        exportFigure.setOnAction(e -> {
            ProbeFiles.FigureTarget target = files.figureFile(root.getScene().getWindow());
            if (target != null) {
                model.exportFigure(target.file(), target.format());
            }
        });
        Button exportCsv = new Button("Export CSV\u2026");
        exportCsv.setId("probe-export-csv");
        exportCsv.setOnAction(e -> {
            Path target = files.csvFile(root.getScene().getWindow());
            if (target != null) {
                model.exportCsv(target);
            }
        });
        exportFigure.disableProperty().bind(model.resultProperty().isNull());
        exportCsv.disableProperty().bind(model.resultProperty().isNull());
        status.setId("probe-status");
        status.textProperty().bind(model.statusProperty());

        root.setPadding(new Insets(8));
        root.setTop(new VBox(4,
                Controls.toolbar(choose, file, new Label("   Token"), position, attentive, queries, new Label("on example"), example,
                        new Label("   Noise \u03c3"), noise, new Label("   Lower precision"), precision),
                Controls.toolbar(run, cancel, progress, message, new Label("   Show"), metric, new Label("   Attention at block"),
                        attentionBlock, exportFigure, exportCsv),
                Controls.toolbar(status)));
        chart.setId("probe-chart");
        chart.setMinSize(600, 300);
        heads.setId("probe-heads");
        attention.setId("probe-attention");
        heads.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
            int[] cell = headFigure == null ? null : headFigure.cellAt(x, y);
            if (cell != null) {
                model.selectHead(cell[0], cell[1]);
                heads.clearMarks();
                heads.mark(headFigure.cells(cell[0], cell[0] + 1, cell[1], cell[1] + 1));
            }
        });
        HBox maps = new HBox(16, heads, attention);
        ScrollPane scroll = new ScrollPane(new VBox(12, chart, maps));
        // the chart takes the width it is given and about half the height, so it reads at any window size
        scroll.viewportBoundsProperty().addListener((o, was, now) -> {
            chart.setPrefWidth(Math.max(600, now.getWidth() - 4));
            chart.setPrefHeight(Math.max(300, 0.5 * now.getHeight()));
        });
        root.setCenter(scroll);

        model.resultProperty().addListener((o, was, now) -> redraw());
        model.metricProperty().addListener((o, was, now) -> drawChart());
        model.attentionBlockProperty().addListener((o, was, now) -> {
            if (attentionBlock.getValue() == null || attentionBlock.getValue().intValue() != now.intValue()) {
                Controls.fit(attentionBlock, Math.max(1, blocks()), now.intValue());
            }
        });
        redraw();
    }

    ProbingPageModel model() {
        return model;
    }

    /** The window's Export… writes the probing figure (what "Export figure…" writes). */
    @Override
    public OwnFigure ownFigure() {
        var r = model.resultProperty().get();
        return r == null ? OwnFigure.notYet(TITLE, "probing", "no probes yet: choose a labelled file and Run")
                : OwnFigure.of(model.title(r), "probing", model.figure());
    }

    FigureView headsView() {
        return heads;
    }

    FigureView attentionView() {
        return attention;
    }

    ChartViewer chartView() {
        return chart;
    }

    /** The probes do not depend on the session's input: nothing to redraw when it changes. */
    @Override
    public void show(Session session) {
    }

    private int blocks() {
        ProbeResult r = model.resultProperty().get();
        return r == null ? 0 : r.layers().size();
    }

    private void redraw() {
        ProbeResult r = model.resultProperty().get();
        drawChart();
        heads.setVisible(r != null && r.headAccuracy() != null);
        heads.setManaged(heads.isVisible());
        if (r != null && r.headAccuracy() != null) {
            headFigure = ProbeFigure.headFigure(r.headAccuracy(), "accuracy of a probe on each head's hook_z; click one to select it");
            heads.show(headFigure);
        }
        attentionBlock.setDisable(r == null || r.attention() == null);
        if (r != null) {
            Controls.fit(attentionBlock, Math.max(1, blocks()), Math.min(model.attentionBlockProperty().get(), blocks() - 1));
        }
        drawAttention();
    }

    private void drawChart() {
        ProbeResult r = model.resultProperty().get();
        chart.setVisible(r != null);
        chart.setManaged(r != null);
        if (r == null) {
            return;
        }
        ProbingPageModel.Metric m = model.metricProperty().get();
        chart.setChart(ProbeChart.of(model.title(r), m.toString(), ProbeFigure.curves(r, m.perBlock()), r.depth(),
                r.attentive() == null ? -1 : r.attentive().depth()));
    }

    private void drawAttention() {
        ProbeResult r = model.resultProperty().get();
        boolean shown = r != null && r.attention() != null && attentionBlock.getValue() != null;
        attention.setVisible(shown);
        attention.setManaged(shown);
        if (!shown) {
            return;
        }
        int block = Math.min(attentionBlock.getValue(), r.layers().size() - 1);
        model.attentionBlockProperty().set(block);
        ProbeAttention a = r.attention();
        attention.show(ProbeFigure.attentionFigure(new ProbeFigure.Attention(block,
                "example " + a.example() + " (row " + a.row() + ")", a.tokens(), a.weights()[block])));
    }
}
