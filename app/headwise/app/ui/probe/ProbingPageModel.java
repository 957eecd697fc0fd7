package headwise.app.ui.probe;

import headwise.app.ui.model.AppModel;
import headwise.app.ui.model.EngineTasks;
import headwise.app.ui.model.ModelLifecycle;
import headwise.app.ui.model.StatusLine;
import headwise.engine.analysis.probe.LayerProbing;
import headwise.engine.analysis.probe.LowPrecision;
import headwise.engine.analysis.probe.Pooling;
import headwise.engine.analysis.probe.ProbeCurve;
import headwise.engine.analysis.probe.ProbeReport;
import headwise.engine.analysis.probe.ProbeResult;
import headwise.engine.analysis.probe.ProbeScore;
import headwise.engine.analysis.probe.ProbeSettings;
import headwise.engine.load.LoadedModel;
import headwise.viz.Figure;
import headwise.viz.export.FigureFiles;
import headwise.viz.export.FigureFormat;
import headwise.viz.view.ProbeFigure;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The Probing page's state and its one background job (docs/probing.md): the labelled file and the options, the
 * probes run on the app's current model with progress and Cancel, the result, which metric the chart shows and at
 * which block the attentive probe's attention is drawn; exports of the figure and the CSV. FX thread only.
 */
public final class ProbingPageModel {

    /** What the chart plots per block. */
    public enum Metric {
        ACCURACY("accuracy", ProbeCurve::accuracy), F1("F1", ProbeCurve::f1), AUC("AUC", ProbeCurve::auc);

        private final String label;
        private final Function<ProbeCurve, double[]> values;

        Metric(String label, Function<ProbeCurve, double[]> values) {
            this.label = label;
            this.values = values;
        }

        public Function<ProbeCurve, double[]> perBlock() {
            return values;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** The lower-precision copy offered: none, or one of {@link LowPrecision}. */
    public static final String NO_COPY = "none";

    private final AppModel app;
    private final EngineTasks tasks = new EngineTasks();
    private final ObjectProperty<Path> data = new SimpleObjectProperty<>();
    private final ObjectProperty<Pooling> pooling = new SimpleObjectProperty<>(Pooling.LAST);
    private final BooleanProperty attentive = new SimpleBooleanProperty(true);
    private final IntegerProperty queries = new SimpleIntegerProperty(ProbeSettings.DEFAULT_QUERIES);
    private final DoubleProperty noise = new SimpleDoubleProperty(0);
    private final ObjectProperty<String> lowPrecision = new SimpleObjectProperty<>(NO_COPY);
    private final ObjectProperty<Metric> metric = new SimpleObjectProperty<>(Metric.ACCURACY);
    private final IntegerProperty attentionBlock = new SimpleIntegerProperty(0);
    /** The example (0-based, file order) whose attention the attentive probes return; −1: the first test example. */
    private final IntegerProperty attentionExample = new SimpleIntegerProperty(-1);
    private final ObjectProperty<ProbeResult> result = new SimpleObjectProperty<>();
    private final StringProperty status = new SimpleStringProperty("Choose a labelled file (JSONL or CSV: text or ids, label, split)");

    public ProbingPageModel(AppModel app) {
        this.app = app;
    }

    public ObjectProperty<Path> dataProperty() {
        return data;
    }

    public ObjectProperty<Pooling> poolingProperty() {
        return pooling;
    }

    public BooleanProperty attentiveProperty() {
        return attentive;
    }

    public IntegerProperty queriesProperty() {
        return queries;
    }

    public DoubleProperty noiseProperty() {
        return noise;
    }

    public ObjectProperty<String> lowPrecisionProperty() {
        return lowPrecision;
    }

    public ObjectProperty<Metric> metricProperty() {
        return metric;
    }

    public IntegerProperty attentionBlockProperty() {
        return attentionBlock;
    }

    public IntegerProperty attentionExampleProperty() {
        return attentionExample;
    }

    public ObjectProperty<ProbeResult> resultProperty() {
        return result;
    }

    public StringProperty statusProperty() {
        return status;
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return tasks.busyProperty();
    }

    /** −1 while unknown, else the current stage's fraction done. */
    public ReadOnlyDoubleProperty progressProperty() {
        return tasks.progressProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return tasks.messageProperty();
    }

    public static List<String> lowPrecisionChoices() {
        List<String> out = new java.util.ArrayList<>(List.of(NO_COPY));
        for (LowPrecision p : LowPrecision.values()) {
            out.add(p.name());
        }
        return out;
    }

    /** Probes the chosen file on the app's current model in the background; a newer run replaces a running one. */
    public void run() {
        Path file = data.get();
        ModelLifecycle.Handle handle = app.runner().models().current();
        if (file == null || handle == null) {
            status.set(file == null ? "Choose a labelled file first" : "Open a model first");
            return;
        }
        ProbeSettings settings;
        try {
            settings = ProbeSettings.defaults().withPooling(pooling.get()).withNoise(noise.get())
                    .withAttentive(attentive.get() ? Math.max(1, queries.get()) : 0).withAttentionExample(attentionExample.get());
        } catch (RuntimeException e) {
            status.set(StatusLine.describe(e));
            return;
        }
        LowPrecision precision = NO_COPY.equals(lowPrecision.get()) ? null : LowPrecision.parse(lowPrecision.get());
        status.set("");
        tasks.submit("Probing " + file.getFileName() + "\u2026", progress -> {
            try (ModelLifecycle.Lease lease = handle.lease()) {
                LoadedModel model = lease.model();
                List<LayerProbing.Comparison> comparisons = precision == null ? List.of()
                        : List.of(new LayerProbing.Comparison(precision.name(), precision.copyOf(model)));
                return LayerProbing.run(model, file, settings, comparisons,
                        (stage, done, total) -> progress.step(stage + " " + done + "/" + total, done, total));
            }
        }, done -> {
            attentionBlock.set(bestAttentiveBlock(done));
            result.set(done);
            status.set(summary(done, file));
        }, error -> status.set(StatusLine.describe(error)));
    }

    /** Stops a running probe; the previous result stays. */
    public void cancel() {
        if (tasks.cancel()) {
            status.set("Cancelled");
        }
    }

    /** Selects a head of the per-head map in the whole app (the other pages follow it). */
    public void selectHead(int layer, int head) {
        app.select(layer, head);
    }

    /** The figure of the result (every curve, the head map, the attention at the chosen block), written in the background. */
    public void exportFigure(Path file, FigureFormat format) {
        ProbeResult r = result.get();
        if (r == null) {
            return;
        }
        String title = title(r);
        Figure figure = figure();
        write("figure", file, () -> FigureFiles.write(figure, format, 2, title, file));
    }

    /** The figure of the result as the page shows it (every curve, the head map, the attention at the chosen block), or null. */
    public Figure figure() {
        ProbeResult r = result.get();
        return r == null ? null : ProbeFigure.of(r, title(r), attentionBlock.get());
    }

    /** Every score as CSV (ProbeReport.csv), written in the background. */
    public void exportCsv(Path file) {
        ProbeResult r = result.get();
        if (r == null) {
            return;
        }
        write("scores", file, () -> Files.writeString(file, ProbeReport.csv(r), StandardCharsets.UTF_8));
    }

    /** The chart's title. */
    public String title(ProbeResult r) {
        Path file = data.get();
        return app.modelName() + ": " + (file == null ? "" : file.getFileName() + " ") + "at " + r.settings().site().hook()
                + ", " + r.settings().pooling().name().toLowerCase(Locale.ROOT) + " token";
    }

    private interface Write {
        void run() throws Exception;
    }

    private void write(String what, Path file, Write write) {
        if (tasks.isBusy()) {
            status.set("Wait for the probes to finish (or cancel them) before exporting");
            return;
        }
        tasks.submit("Exporting the " + what + "\u2026", progress -> {
            write.run();
            return file;
        }, done -> status.set("Exported the " + what + " to " + done), error -> status.set(StatusLine.describe(error)));
    }

    private static int bestAttentiveBlock(ProbeResult r) {
        if (r.attentive() == null) {
            return 0;
        }
        double[] accuracy = r.attentive().accuracy();
        int best = 0;
        for (int l = 1; l < accuracy.length; l++) {
            best = accuracy[l] > accuracy[best] ? l : best;
        }
        return best;
    }

    private static String summary(ProbeResult r, Path file) {
        ProbeScore best = r.layers().stream().max(java.util.Comparator.comparingDouble(ProbeScore::accuracy)).orElseThrow();
        return String.format(Locale.ROOT, "%s: %d train, %d test; best linear accuracy %.3f, depth %d%s", file.getFileName(),
                r.split().train().length, r.split().test().length, best.accuracy(), r.depth(),
                r.attentive() == null ? "" : String.format(Locale.ROOT, "; attentive depth %d", r.attentive().depth()));
    }
}
