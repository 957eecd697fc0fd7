package headwise.app.ui.page;

import headwise.viz.draw.Scales;
import headwise.app.ui.widget.Styles;
import headwise.app.export.ImportanceMeasures;
import headwise.app.export.LensTokens;
import headwise.app.export.MetricsMap;
import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.ViewKind;
import headwise.engine.analysis.AttentionStatistics;
import headwise.viz.view.MatrixFigure;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The layer-wise dashboard: entropy, attention distance, sink mass and head importance per layer as line charts,
 * the logit lens (top token of every layer at every position; the other top tokens in the tooltip), and the
 * cross-layer similarity of the head-averaged attention. Hovering a logit-lens column hovers its token.
 */
public final class LayersPage extends AnalysisPage {

    /** A logit-lens row: one layer (0 = embeddings) and per position its top tokens and their probabilities. */
    public record LensRow(int layer, List<List<String>> tokens, double[][] probs) {
    }

    private static final int COLUMNS = 3;
    /** Each row of charts takes this share of the page's height (two rows and the lens's heading show at once). */
    private static final double CHART_HEIGHT = 0.42;

    private final GridPane grid = new GridPane();
    private final FigureView similarity = FigureView.fitting();
    private final TableView<LensRow> lens = new TableView<>();
    private final ScrollPane scroll;
    private int charts;

    public LayersPage(ViewState state) {
        super("Layers", ViewKind.LAYERS, state);
        grid.setHgap(16);
        grid.setVgap(16);
        grid.setPadding(new Insets(4));
        scroll = Controls.sharedColumns(grid, COLUMNS);
        root.setCenter(scroll);
        lens.setId("logit-lens");
        lens.setPrefHeight(230);
        state.hoveredTokenProperty().addListener((o, was, now) -> lens.refresh());
    }

    TableView<LensRow> lensTable() {
        return lens;
    }

    FigureView similarityView() {
        return similarity;
    }

    int chartCount() {
        return charts;
    }

    @Override
    protected void render() {
        grid.getChildren().clear();
        charts = 0;
        if (session.metrics() == null) {
            grid.add(missing("The layer-wise metrics have not been computed for this input.", Part.METRICS), 0, 0);
            return;
        }
        int layers = session.result().attention().layers();
        addChart("Attention entropy", "nats", "mean over heads", MetricsMap.numbers(session.metrics(), "layers", "entropy"));
        addChart("Mean attention distance", "tokens", "mean over heads", MetricsMap.numbers(session.metrics(), "layers", "mean_distance"));
        addChart("Sink mass (attention on the first token)", "mean weight", "mean over heads and queries",
                MetricsMap.numbers(session.metrics(), "layers", "first_token_mass"));
        ImportanceMeasures.Measure importance = ImportanceMeasures.primary(session);
        if (importance != null) {
            double[] total = new double[layers];
            double[] mean = AttentionStatistics.layerMeans(importance.scores());
            for (int l = 0; l < layers; l++) {
                total[l] = mean[l] * importance.scores()[l].length;
            }
            addChart("Head importance per layer", importance.shortName(), "sum over the layer's heads", total);
        } else {
            grid.add(missing("Head importance per layer needs the importance analysis.", Part.IMPORTANCE), charts % COLUMNS, charts / COLUMNS);
            charts++;
        }
        double[][] sim = MetricsMap.matrix(session.metrics(), "layer_similarity");
        if (sim != null) {
            int cell = Math.max(12, Math.min(40, 240 / layers));
            similarity.show(MatrixFigure.of("Cross-layer similarity", "cosine of the head-averaged attention matrices", sim,
                    MatrixFigure.indexLabels("L", layers), MatrixFigure.indexLabels("L", layers), cell,
                    Scales.score(Scales.min(sim), 1), true, "cosine"));
            ((MatrixFigure) similarity.figure()).panel().named("layer", "layer");
            grid.add(Controls.sized(Controls.box(similarity), scroll, CHART_HEIGHT, 230), charts % COLUMNS, charts / COLUMNS);
        }
        grid.add(logitLens(), 0, charts / COLUMNS + 1, COLUMNS, 1);
    }

    private void addChart(String title, String unit, String series, double[] values) {
        if (values == null) {
            return;
        }
        var chart = PageCharts.layerLines(title, "layer", unit, List.of(new PageCharts.Line(series, values)));
        grid.add(Controls.sized(PageCharts.viewer(chart, 390, 230), scroll, CHART_HEIGHT, 230), charts % COLUMNS, charts / COLUMNS);
        charts++;
    }

    private Node logitLens() {
        double[][][] probs = SessionSinks.cube(MetricsMap.get(session.metrics(), "logit_lens", "top_probs"));
        Object names = MetricsMap.get(session.metrics(), "logit_lens", LensTokens.KEY);
        if (probs == null || !(names instanceof List<?> rows)) {
            return labelled("Logit lens", new Label("The logit lens reads each layer through the model's unembedding; "
                    + "this model has none (an encoder or a classifier)."));
        }
        String[] labels = MatrixFigure.tokenLabels(session.tokens(), session.result().input().length());
        lens.getColumns().clear();
        TableColumn<LensRow, String> layer = new TableColumn<>("layer");
        layer.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().layer() == 0 ? "emb" : "L" + c.getValue().layer()));
        layer.setSortable(false);
        lens.getColumns().add(layer);
        for (int t = 0; t < labels.length; t++) {
            lens.getColumns().add(positionColumn(t, labels[t]));
        }
        List<LensRow> items = new ArrayList<>();
        for (int l = 0; l < rows.size(); l++) {
            List<List<String>> perPosition = new ArrayList<>();
            for (Object p : (List<?>) rows.get(l)) {
                perPosition.add(((List<?>) p).stream().map(String::valueOf).toList());
            }
            items.add(new LensRow(l, perPosition, probs[l]));
        }
        lens.getItems().setAll(items);
        return labelled("Logit lens: most probable next token after each layer (row emb: the embeddings)", lens);
    }

    private TableColumn<LensRow, String> positionColumn(int position, String label) {
        TableColumn<LensRow, String> column = new TableColumn<>(position + " " + label);
        column.setSortable(false);
        column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(top(c.getValue(), position, 1)));
        column.setCellFactory(c -> new TableCell<>() {
            {
                setOnMouseEntered(e -> state.hoveredTokenProperty().set(position));
                setOnMouseExited(e -> state.hoveredTokenProperty().set(-1));
            }

            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                setText(empty ? null : text);
                LensRow row = empty || getTableRow() == null ? null : getTableRow().getItem();
                setTooltip(row == null ? null : new Tooltip(top(row, position, row.tokens().get(position).size())));
                Styles.toggle(this, Styles.HOVERED_CELL, position == state.hoveredTokenProperty().get());
            }
        });
        column.setPrefWidth(Math.max(70, 7.5 * column.getText().length() + 16));
        return column;
    }

    /** "word 0.53" for the first {@code k} top tokens, one a line. */
    static String top(LensRow row, int position, int k) {
        StringBuilder out = new StringBuilder();
        List<String> words = row.tokens().get(position);
        for (int i = 0; i < Math.min(k, words.size()); i++) {
            if (i > 0) {
                out.append('\n');
            }
            out.append(words.get(i).replace("\n", "\\n")).append(String.format(Locale.ROOT, " %.2f", row.probs()[position][i]));
        }
        return out.toString();
    }

    private static Node labelled(String title, Node content) {
        return new VBox(6, Controls.bold(title), content);
    }
}
