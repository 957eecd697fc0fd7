package headwise.app.ui.page;

import headwise.viz.draw.Scales;
import headwise.app.export.HeadCategories;
import headwise.app.export.ImportanceMeasures;
import headwise.app.export.MetricsMap;
import headwise.app.export.SessionAnalysis.Part;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.engine.analysis.importance.RankAgreement;
import headwise.viz.view.MatrixFigure;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Head importance and head types: one L×H heatmap per measure (ablation, gradient, confidence, entropy, previous-token,
 * duplicate-token, induction), their Spearman rank agreement, and a table of every head sortable by any score.
 * Clicking a heatmap cell or a table row opens that head; hovering a cell marks the same head in every heatmap.
 */
public final class ImportancePage extends AnalysisPage {

    /** One measure: a table column name, a heading, a note, [layer][head] scores. */
    record Measure(String name, String title, String note, double[][] scores) {
    }

    /** A table row: one head and its score under each measure. */
    public record HeadRow(int layer, int head, double[] scores) {
    }

    private final VBox prompts = new VBox();
    private final FlowPane maps = new FlowPane(16, 16);
    private final List<FigureView> measureViews = new ArrayList<>();
    private final FigureView agreement = new FigureView();
    private final TableView<HeadRow> table = new TableView<>();
    private List<Measure> measures = List.of();
    private final AttentionReads reads;

    public ImportancePage(ViewState state) {
        super("Importance", ViewKind.IMPORTANCE, state);
        reads = state.attentionReads();
        maps.setPadding(new Insets(8));
        ScrollPane top = new ScrollPane(maps);
        top.setFitToWidth(true);
        table.setId("importance-table");
        table.setRowFactory(t -> {
            TableRow<HeadRow> row = new TableRow<>();
            row.setOnMouseClicked(e -> {
                if (!row.isEmpty()) {
                    state.openHead(row.getItem().layer(), row.getItem().head());
                }
            });
            return row;
        });
        SplitPane split = new SplitPane(top, table);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.62);
        root.setTop(prompts);
        root.setCenter(split);
    }

    TableView<HeadRow> table() {
        return table;
    }

    List<FigureView> measureViews() {
        return measureViews;
    }

    FigureView agreementView() {
        return agreement;
    }

    List<String> measureNames() {
        return measures.stream().map(Measure::name).toList();
    }

    @Override
    protected void render() {
        prompts.getChildren().clear();
        if (session.ablation() == null && session.gradient() == null) {
            prompts.getChildren().add(missing("Ablation and gradient importance have not been computed for this input.", Part.IMPORTANCE));
        }
        if (session.metrics() == null) {
            prompts.getChildren().add(missing("Head types (previous-token, induction, \u2026) come with the metrics, not computed yet.",
                    Part.METRICS));
        }
        // confidence and entropy read every head: recomputed maps make that seconds, so it is read in the background
        Session s = session;
        reads.read(s, () -> measures(s), computed -> {
            if (session == s) {
                measures = computed;
                drawMaps();
                fillTable();
            }
        });
    }

    /** Importance measures the session has, then the head-type scores of its metrics. */
    static List<Measure> measures(Session s) {
        List<Measure> out = new ArrayList<>();
        for (ImportanceMeasures.Measure m : ImportanceMeasures.of(s)) {
            out.add(new Measure(m.shortName(), m.title(), m.note(), m.scores()));
        }
        addMetric(out, s, "prev_token", "previous-token", "this input: share of attention on the previous token", "prev_token");
        addMetric(out, s, "induction", "induction", "repeated random sequence (TransformerLens)", "head_types", "induction");
        addMetric(out, s, "duplicate_token", "duplicate-token", "repeated random sequence (TransformerLens)", "head_types", "duplicate_token");
        addMetric(out, s, "mean_distance", "mean distance", "mean |query \u2212 key| weighted by attention (tokens)", "mean_distance");
        return out;
    }

    private static void addMetric(List<Measure> out, Session s, String name, String title, String note, String... path) {
        double[][] m = MetricsMap.matrix(s.metrics(), path);
        if (m != null && m.length > 0) {
            out.add(new Measure(name, title, note, m));
        }
    }

    private void drawMaps() {
        maps.getChildren().clear();
        measureViews.clear();
        int heads = session.result().attention().heads();
        int layers = session.result().attention().layers();
        int cell = Math.max(10, Math.min(26, 260 / heads));
        String[][] types = HeadCategories.detectedTypes(session); // read out with each head's value
        for (Measure m : measures) {
            FigureView view = new FigureView();
            view.setId("importance-" + m.name());
            MatrixFigure figure = MatrixFigure.headMap(m.title(), m.note(), m.scores(), cell, Scales.importance(m.scores()), null);
            figure.panel().noted((l, h) -> types[l][h]);
            view.show(figure);
            view.onMouse(MouseEvent.MOUSE_CLICKED, (x, y) -> {
                int[] at = ((MatrixFigure) view.figure()).cellAt(x, y);
                if (at != null) {
                    state.openHead(at[0], at[1]);
                }
            });
            view.onMouse(MouseEvent.MOUSE_MOVED, (x, y) -> markHead(((MatrixFigure) view.figure()).cellAt(x, y)));
            view.onMouse(MouseEvent.MOUSE_EXITED, (x, y) -> markHead(null));
            measureViews.add(view);
            maps.getChildren().add(view);
        }
        if (measures.size() > 1) {
            List<RankAgreement.NamedScores> named = measures.stream().map(m -> new RankAgreement.NamedScores(m.name(), m.scores())).toList();
            RankAgreement.Matrix rho = RankAgreement.matrix(named);
            String[] names = rho.names().toArray(String[]::new);
            agreement.show(MatrixFigure.of("Rank agreement", "Spearman \u03C1 between the measures' head rankings", rho.rho(), names,
                    names, 44, Scales.correlation(), true, "\u03C1"));
            maps.getChildren().add(agreement);
        }
    }

    /** Marks head {@code at} = {layer, head} in every measure's heatmap; null clears. */
    private void markHead(int[] at) {
        for (FigureView v : measureViews) {
            v.clearMarks();
            if (at != null) {
                v.mark(((MatrixFigure) v.figure()).cells(at[0], at[0] + 1, at[1], at[1] + 1));
            }
        }
    }

    private void fillTable() {
        table.getColumns().clear();
        TableColumn<HeadRow, Number> layer = new TableColumn<>("layer");
        layer.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().layer()));
        TableColumn<HeadRow, Number> head = new TableColumn<>("head");
        head.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().head()));
        layer.setPrefWidth(70); // the theme's header font needs more than the default for "layer"
        head.setPrefWidth(70);
        table.getColumns().add(layer);
        table.getColumns().add(head);
        for (int i = 0; i < measures.size(); i++) {
            int index = i;
            TableColumn<HeadRow, Number> column = new TableColumn<>(measures.get(i).name());
            column.setId("column-" + measures.get(i).name());
            column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().scores()[index]));
            column.setCellFactory(c -> new TableCell<>() {
                @Override
                protected void updateItem(Number value, boolean empty) {
                    super.updateItem(value, empty);
                    setText(empty || value == null ? null : String.format(Locale.ROOT, "%.4g", value.doubleValue()));
                }
            });
            column.setPrefWidth(Math.max(90, 8.5 * measures.get(i).name().length() + 24));
            column.setStyle("-fx-alignment: CENTER-RIGHT;");
            table.getColumns().add(column);
        }
        List<HeadRow> rows = new ArrayList<>();
        int layers = session.result().attention().layers();
        int heads = session.result().attention().heads();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                double[] scores = new double[measures.size()];
                for (int i = 0; i < scores.length; i++) {
                    scores[i] = measures.get(i).scores()[l][h];
                }
                rows.add(new HeadRow(l, h, scores));
            }
        }
        table.getItems().setAll(rows);
    }
}
