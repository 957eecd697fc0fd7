package headwise.app.ui.core;

import headwise.app.ui.widget.Styles;
import headwise.app.export.ViewKind;
import headwise.app.session.InterventionPlan;
import headwise.app.session.Prediction;
import headwise.app.session.Session;
import headwise.app.ui.page.Controls;
import headwise.app.ui.page.PageBase;
import headwise.engine.hooks.Interventions;
import headwise.viz.view.Labels;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.Region;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Change the run and see what changes: switch heads off (zero or mean ablation), scale the first token's attention
 * (ZeroTuning γ), calibrate hidden sinks (ACT). Every edit reruns the model; every page then shows the changed
 * run, and this page compares its prediction with the original's (the compare view draws the attention difference).
 */
public final class InterventionsPage extends PageBase {

    public static final String TITLE = "Interventions";

    private final InterventionsPageModel model;
    private final GridPane heads = new GridPane();
    private final ComboBox<Interventions.Ablation> mode = new ComboBox<>();
    private final Slider gamma = new Slider(0, 2, 1);
    private final Label gammaValue = new Label();
    private final CheckBox calibrate = new CheckBox("calibrate hidden sinks (ACT, \u03B2 = " + InterventionPlan.ACT_BETA + ")");
    private final Label summary = new Label();
    private final GridPane table = new GridPane();
    private final ScrollPane scroll = new ScrollPane();
    private int gridLayers = -1;
    private int gridHeads = -1;
    private boolean updating;

    public InterventionsPage(InterventionsPageModel model) {
        super(TITLE, ViewKind.COMPARE); // its export: the changed run's attention against the original's
        this.model = model;
        heads.setId("ablation-grid");
        heads.setHgap(3);
        heads.setVgap(3);
        mode.setId("ablation-mode");
        mode.getItems().setAll(Interventions.Ablation.values());
        mode.setConverter(new StringConverter<>() {
            @Override
            public String toString(Interventions.Ablation a) {
                return a == null ? "" : a == Interventions.Ablation.ZERO ? "zero" : "mean over positions";
            }

            @Override
            public Interventions.Ablation fromString(String s) {
                return s.startsWith("zero") ? Interventions.Ablation.ZERO : Interventions.Ablation.MEAN;
            }
        });
        mode.setOnAction(e -> edit(plan().withMode(mode.getValue())));
        gamma.setId("zero-tuning");
        gamma.setShowTickMarks(true);
        gamma.setMajorTickUnit(0.5);
        gamma.setPrefWidth(220);
        gamma.valueProperty().addListener((o, a, v) -> gammaValue.setText(String.format(Locale.ROOT, "\u03B3 = %.2f", v.doubleValue())));
        gamma.valueChangingProperty().addListener((o, was, changing) -> {
            if (!changing) {
                edit(plan().withZeroTuning(round(gamma.getValue())));
            }
        });
        gamma.setOnMouseReleased(e -> edit(plan().withZeroTuning(round(gamma.getValue()))));
        calibrate.setId("calibrate-sinks");
        calibrate.setOnAction(e -> edit(plan().withSinkCalibration(calibrate.isSelected())));
        Button reset = new Button("Reset");
        reset.setId("reset-interventions");
        reset.setOnAction(e -> edit(InterventionPlan.none()));
        summary.setId("prediction-summary");
        summary.setWrapText(true);
        table.setId("prediction-table");
        table.setHgap(14);
        table.setVgap(3);

        Label headsTitle = Controls.bold("Switch heads off (click a head)");
        VBox controls = new VBox(8, headsTitle, new HBox(8, new Label("ablation"), mode), heads,
                Controls.bold("Attention to the first token (ZeroTuning)"), new HBox(8, gamma, gammaValue),
                Controls.bold("Attention sinks"), calibrate, reset);
        controls.setPadding(new Insets(10));
        VBox result = new VBox(8, Controls.bold("Prediction"), summary, table);
        result.setPadding(new Insets(10));
        result.setPrefWidth(460);
        scroll.setContent(controls);
        scroll.setFitToWidth(true); // the grid's cells grow with the room the page gives them (sizeCells)
        scroll.viewportBoundsProperty().addListener((o, was, now) -> sizeCells(now.getWidth() - 20));
        root.setCenter(scroll);
        root.setRight(result);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private InterventionPlan plan() {
        return model.plan();
    }

    private void edit(InterventionPlan next) {
        if (!updating) {
            model.edit(next);
        }
    }

    @Override
    public void show(Session session) {
        updating = true;
        int layers = session.result().attention().layers();
        int count = session.result().attention().heads();
        if (layers != gridLayers || count != gridHeads) {
            buildGrid(layers, count);
        }
        InterventionPlan plan = plan();
        for (Node n : heads.getChildren()) {
            if (n instanceof ToggleButton b && b.getUserData() instanceof int[] lh) {
                b.setSelected(plan.isAblated(lh[0], lh[1]));
            }
        }
        mode.setValue(plan.mode());
        gamma.setValue(plan.zeroTuning());
        gammaValue.setText(String.format(Locale.ROOT, "\u03B3 = %.2f", plan.zeroTuning()));
        calibrate.setSelected(plan.calibrateSinks());
        updating = false;
        showPrediction(model.prediction(), model.original(), plan);
    }

    /** Head buttons are at least this wide (a 32-head model still fits 1280 px) and at most {@link #MAX_CELL}. */
    static final double MIN_CELL = 22;
    static final double MAX_CELL = 64;
    private double cell = 30;

    /**
     * Sizes the head buttons to share {@code width} (the room left of the prediction): every head column equally wide,
     * its "Hn" label centred over the buttons, so the grid reads at 1280×800 and grows at 1920×1080.
     */
    private void sizeCells(double width) {
        if (gridHeads <= 0 || width <= 0) {
            return;
        }
        double labels = 34; // the "L23" column
        cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((width - labels - heads.getHgap() * gridHeads) / gridHeads)));
        for (int c = 1; c < heads.getColumnConstraints().size(); c++) {
            heads.getColumnConstraints().get(c).setPrefWidth(cell);
            heads.getColumnConstraints().get(c).setMinWidth(cell);
        }
        for (Node n : heads.getChildren()) {
            if (n instanceof ToggleButton b) {
                b.setPrefSize(cell, Math.round(cell * 0.7));
            }
        }
    }

    private void buildGrid(int layers, int count) {
        heads.getChildren().clear();
        heads.getColumnConstraints().clear();
        ColumnConstraints labelColumn = new ColumnConstraints();
        labelColumn.setMinWidth(Region.USE_PREF_SIZE);
        heads.getColumnConstraints().add(labelColumn);
        for (int h = 0; h < count; h++) {
            ColumnConstraints column = new ColumnConstraints();
            column.setHalignment(HPos.CENTER); // "H11" is wider than a small cell: centred, it stays over its column
            heads.getColumnConstraints().add(column);
            heads.add(new Label("H" + h), h + 1, 0);
        }
        for (int l = 0; l < layers; l++) {
            heads.add(new Label("L" + l), 0, l + 1);
            for (int h = 0; h < count; h++) {
                ToggleButton b = new ToggleButton();
                b.setId("ablate-" + l + "-" + h);
                b.setUserData(new int[] {l, h});
                b.setMinSize(MIN_CELL, 16);
                b.setTooltip(new Tooltip("layer " + l + ", head " + h));
                b.getStyleClass().add("hw-ablate"); // red while switched off (headwise.css)
                int layer = l;
                int head = h;
                b.setOnAction(e -> edit(plan().withHead(layer, head, b.isSelected())));
                heads.add(b, h + 1, l + 1);
            }
        }
        gridLayers = layers;
        gridHeads = count;
        sizeCells(scroll.getViewportBounds().getWidth() - 20);
    }

    private void showPrediction(Prediction now, Prediction original, InterventionPlan plan) {
        table.getChildren().clear();
        if (now == null) {
            summary.setText("");
            return;
        }
        if (now.embedding() != null) {
            summary.setText(now.title() + (original == null ? ": no intervention; change something to compare"
                    : String.format(Locale.ROOT, ": cosine similarity to the original %.4f (%s)", now.cosineTo(original), plan.describe())
                    + recomputed()));
            return;
        }
        Prediction.Entry best = now.best();
        String head = now.title() + ": " + quoted(best.label()) + String.format(Locale.ROOT, " %.1f%%", 100 * best.probability());
        if (original != null) {
            Prediction.Entry was = original.best();
            head += String.format(Locale.ROOT, "; originally %s %.1f%%; KL(original \u2016 now) = %.4f nats (%s)", quoted(was.label()),
                    100 * was.probability(), now.klFrom(original), plan.describe());
            head += recomputed();
        }
        summary.setText(head);
        table.addRow(0, Controls.bold("token"), Controls.bold("now"), Controls.bold("original"), Controls.bold("change"));
        Map<Integer, String> rows = new LinkedHashMap<>();
        now.top().forEach(e -> rows.put(e.id(), e.label()));
        if (original != null) {
            original.top().forEach(e -> rows.putIfAbsent(e.id(), e.label()));
        }
        int r = 1;
        for (Map.Entry<Integer, String> e : rows.entrySet()) {
            double p = now.probability(e.getKey());
            double o = original == null ? Double.NaN : original.probability(e.getKey());
            Label change = new Label(original == null ? "" : String.format(Locale.ROOT, "%+.2f%%", 100 * (p - o)));
            if (original != null) {
                change.getStyleClass().add(p >= o ? Styles.SUCCESS : Styles.DANGER);
            }
            table.addRow(r++, new Label(quoted(e.getValue())), new Label(String.format(Locale.ROOT, "%.2f%%", 100 * p)),
                    new Label(original == null ? "" : String.format(Locale.ROOT, "%.2f%%", 100 * o)), change);
        }
    }

    /** Which layers the change recomputed: the layers below the first one changed are the original run's. */
    private String recomputed() {
        int from = model.recomputedFrom();
        return from > 0 ? "; layers " + from + "\u2026 recomputed" : "";
    }

    private static String quoted(String label) {
        return "\u201C" + Labels.shorten(label) + "\u201D";
    }
}
