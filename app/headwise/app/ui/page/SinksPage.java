package headwise.app.ui.page;

import headwise.app.ui.widget.Styles;
import headwise.app.export.MetricsMap;
import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.engine.analysis.Sinks;
import headwise.viz.draw.Text;
import headwise.viz.export.PngExport;
import headwise.viz.view.MatrixFigure;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.jfree.chart.entity.CategoryItemEntity;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.ChartMouseEventFX;
import org.jfree.chart.fx.interaction.ChartMouseListenerFX;
import org.jfree.data.category.CategoryDataset;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Attention sinks: the sink rate of every token (bars), the sink mass per layer (lines), massive activations of the
 * residual stream (tables), and the "hide sinks and renormalise" switch every heatmap obeys, previewed on the
 * selected head.
 */
public final class SinksPage extends AnalysisPage {

    /** Lines of the sink-mass chart besides the first token: the strongest other sink tokens. */
    static final int OTHER_SINK_LINES = 2;
    /** Each row (charts, then the preview and the tables) takes this share of the page's height. */
    private static final double ROW_HEIGHT = 0.48;

    /** A row of the per-layer massive-activation table. */
    public record LayerRow(int layer, double medianAbs, double topAbs, double ratio) {
    }

    /** A row of the massive-activation entries table. */
    public record Entry(int layer, int token, String text, int channel, double value) {
    }

    private final CheckBox hide = new CheckBox("Hide sinks and renormalise");
    private final GridPane grid = new GridPane();
    private final FigureView preview = FigureView.fitting();
    private final TableView<LayerRow> layerTable = new TableView<>();
    private final TableView<Entry> entryTable = new TableView<>();
    /** Bars of the sink-rate chart at most; the strongest tokens are shown. */
    static final int MAX_BARS = 128;

    private final ScrollPane scroll;
    private ChartViewer rateChart;
    /** The token of each bar. */
    private int[] barTokens = new int[0];
    private float[] previewMatrix;
    private final AttentionReads reads;

    public SinksPage(ViewState state) {
        super("Sinks", ViewKind.SINKS, state);
        reads = state.attentionReads();
        hide.setId("hide-sinks");
        hide.selectedProperty().bindBidirectional(state.hideSinksProperty());
        Label rule = new Label("in every heatmap: drops the keys whose sink score in that head exceeds \u03B5 = "
                + Sinks.DEFAULT_EPSILON + ", then rescales each query row to sum to 1");
        rule.getStyleClass().add(Styles.MUTED);
        HBox bar = Controls.toolbar(hide, rule);
        bar.setSpacing(14);
        root.setTop(bar);
        grid.setHgap(16);
        grid.setVgap(16);
        grid.setPadding(new Insets(4));
        scroll = Controls.sharedColumns(grid, 2);
        root.setCenter(scroll);

        layerTable.setId("sink-layer-table");
        layerTable.getColumns().setAll(List.of(column("layer", r -> r.layer()), column("median |x|", LayerRow::medianAbs),
                column("largest |x|", LayerRow::topAbs), column("largest / median", LayerRow::ratio)));
        entryTable.setId("massive-table");
        entryTable.getColumns().setAll(List.of(column("layer", e -> e.layer()), column("token", e -> e.token()),
                textColumn("text", Entry::text), column("channel", e -> e.channel()), column("value", Entry::value)));
        for (TableView<?> t : List.of(layerTable, entryTable)) {
            t.setPrefSize(520, 190);
            t.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        }
        entryTable.setPlaceholder(new Label("No entry passes both thresholds (small models never reach |x| > 100)."));
        TokenMatrices.hoverKeys(preview, state);
        state.hideSinksProperty().addListener((o, was, now) -> {
            if (session != null) {
                drawPreview();
            }
        });
        state.hoveredTokenProperty().addListener((o, was, now) -> {
            TokenMatrices.markToken(preview, now.intValue());
            if (rateChart != null) {
                rateChart.getChart().fireChartChanged();
            }
        });
    }

    /** The previewed head's matrix as drawn (after hiding, when on). */
    float[] previewMatrix() {
        return previewMatrix;
    }

    TableView<LayerRow> layerTable() {
        return layerTable;
    }

    ChartViewer rateChart() {
        return rateChart;
    }

    @Override
    protected void render() {
        grid.getChildren().clear();
        String[] labels = MatrixFigure.tokenLabels(session.tokens(), session.result().input().length());
        double[] rate = SessionSinks.rate(session);
        barTokens = strongest(rate, MAX_BARS);
        String[] barLabels = Arrays.stream(barTokens).mapToObj(t -> labels[t]).toArray(String[]::new);
        double[] barRates = Arrays.stream(barTokens).mapToDouble(t -> rate[t]).toArray();
        String title = barTokens.length < rate.length ? "Sink rate of the " + MAX_BARS + " strongest of " + rate.length + " tokens"
                : "Sink rate per token";
        rateChart = PageCharts.viewer(PageCharts.bars(title, "% of heads with sink score > \u03B5", barLabels, barRates, 100,
                () -> Math.max(-1, Arrays.binarySearch(barTokens, state.hoveredTokenProperty().get()))), 560, 300);
        Controls.sized(rateChart, scroll, ROW_HEIGHT, 300);
        rateChart.setId("sink-rate-chart");
        rateChart.addChartMouseListener(new HoverBar());
        grid.add(rateChart, 0, 0);
        grid.add(Controls.sized(PageCharts.viewer(PageCharts.layerLines("Sink mass per layer", "layer", "mean sink score over heads",
                massLines(labels)), 560, 300), scroll, ROW_HEIGHT, 300), 1, 0);
        grid.add(Controls.sized(Controls.box(preview), scroll, ROW_HEIGHT, 300), 0, 1);
        drawPreview();
        grid.add(massive(), 1, 1);
    }

    /**
     * The positions of the {@code most} largest rates in order of position (every position when there are no more):
     * thousands of bars would be unreadable, and a bar chart of 4k categories takes seconds to draw on the FX thread.
     */
    static int[] strongest(double[] rate, int most) {
        return IntStream.range(0, rate.length).boxed().sorted(Comparator.comparingDouble((Integer t) -> -rate[t]).thenComparingInt(t -> t))
                .limit(most).mapToInt(Integer::intValue).sorted().toArray();
    }

    /** The first token's sink mass per layer, and the strongest other sinks'. */
    private List<PageCharts.Line> massLines(String[] labels) {
        double[][][] scores = SessionSinks.scores(session);
        int layers = scores.length;
        int tokens = labels.length;
        double[][] perLayer = new double[tokens][layers];
        double[] overall = new double[tokens];
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < tokens; t++) {
                for (double[] head : scores[l]) {
                    perLayer[t][l] += head[t] / scores[l].length;
                }
                overall[t] += perLayer[t][l];
            }
        }
        List<PageCharts.Line> lines = new ArrayList<>();
        lines.add(new PageCharts.Line("#0 " + labels[0] + " (first token)", perLayer[0]));
        IntStream.range(1, tokens).boxed().sorted(Comparator.comparingDouble((Integer t) -> -overall[t]).thenComparingInt(t -> t))
                .limit(OTHER_SINK_LINES).forEach(t -> lines.add(new PageCharts.Line("#" + t + " " + labels[t], perLayer[t])));
        return lines;
    }

    /** The previewed head read, its figure built and rendered (off the FX thread where reads are). */
    private record Preview(float[] matrix, MatrixFigure figure, BufferedImage image) {
    }

    private void drawPreview() {
        Session s = session;
        boolean hidden = state.hideSinksProperty().get();
        reads.read(s, () -> {
            float[] m = SessionSinks.head(s, s.layer(), s.headOrFirst(), hidden);
            MatrixFigure f = previewFigure(s, m, hidden);
            return new Preview(m, f, PngExport.render(f, 1));
        }, p -> {
            if (session == s) {
                previewMatrix = p.matrix();
                preview.show(p.figure(), p.image());
                TokenMatrices.markToken(preview, state.hoveredTokenProperty().get());
            }
        });
    }

    /** The previewed head's figure, {@code m} its matrix as drawn. */
    private static MatrixFigure previewFigure(Session s, float[] m, boolean hidden) {
        int layer = s.layer();
        int head = s.headOrFirst();
        int t = s.result().input().length();
        boolean[] sinks = SessionSinks.sinkKeys(s, layer, head);
        String[] labels = MatrixFigure.tokenLabels(s.tokens(), t);
        List<String> names = new ArrayList<>();
        for (int j = 0; j < t && names.size() < 8; j++) {
            if (sinks[j]) {
                names.add(labels[j]);
            }
        }
        String which = names.isEmpty() ? "no sink key in this head" : "sink keys: " + String.join(", ", names);
        return TokenMatrices.of("Layer " + layer + ", head " + head + (hidden ? ", sinks hidden" : ""),
                which + (hidden ? "; rows renormalised" : ""), m, t, s.tokens(), "attention");
    }

    private Node massive() {
        if (session.metrics() == null) {
            return missing("Massive activations come with the metrics (one extra forward), not computed yet.", Part.METRICS);
        }
        double[] median = MetricsMap.numbers(session.metrics(), "massive_activations", "median_abs");
        double[][] top = MetricsMap.matrix(session.metrics(), "massive_activations", "top_abs");
        double[][] ratio = MetricsMap.matrix(session.metrics(), "massive_activations", "top_ratio");
        List<LayerRow> rows = new ArrayList<>();
        if (median != null && top != null && ratio != null) {
            for (int l = 0; l < median.length; l++) {
                rows.add(new LayerRow(l, median[l], top[l][0], ratio[l][0]));
            }
        }
        layerTable.getItems().setAll(rows);
        List<Entry> entries = new ArrayList<>();
        if (MetricsMap.get(session.metrics(), "massive_activations", "entries") instanceof List<?> list) {
            String[] labels = MatrixFigure.tokenLabels(session.tokens(), session.result().input().length());
            for (Object o : list) {
                Map<?, ?> m = (Map<?, ?>) o;
                int token = ((Number) m.get("token")).intValue();
                entries.add(new Entry(((Number) m.get("layer")).intValue(), token, labels[token], ((Number) m.get("channel")).intValue(),
                        m.get("value") instanceof Number n ? n.doubleValue() : Double.NaN));
            }
        }
        entryTable.getItems().setAll(entries);
        Object abs = MetricsMap.get(session.metrics(), "massive_activations", "abs_threshold");
        Object rel = MetricsMap.get(session.metrics(), "massive_activations", "ratio_threshold");
        Label heading = Controls.bold("Massive activations (|x| > " + number(abs) + " and > " + number(rel)
                + " \u00D7 the layer's median |x|): " + entries.size());
        return new VBox(6, new Label("Residual stream per layer"), layerTable, heading, entryTable);
    }

    private static String number(Object value) {
        return value instanceof Number n ? Text.number(n.doubleValue()) : "?";
    }

    private static <R> TableColumn<R, Number> column(String name, Function<R, Number> value) {
        TableColumn<R, Number> c = new TableColumn<>(name);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(Number v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null ? null : v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v.toString());
            }
        });
        c.setStyle("-fx-alignment: CENTER-RIGHT;");
        return c;
    }

    private static <R> TableColumn<R, String> textColumn(String name, Function<R, String> value) {
        TableColumn<R, String> c = new TableColumn<>(name);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        return c;
    }

    /** Hovering a bar hovers its token everywhere. */
    private final class HoverBar implements ChartMouseListenerFX {
        @Override
        public void chartMouseClicked(ChartMouseEventFX event) {
        }

        @Override
        public void chartMouseMoved(ChartMouseEventFX event) {
            if (event.getEntity() instanceof CategoryItemEntity item) {
                CategoryDataset data = item.getDataset();
                state.hoveredTokenProperty().set(barTokens[data.getColumnIndex(item.getColumnKey())]);
            } else {
                state.hoveredTokenProperty().set(-1);
            }
        }
    }
}
