package headwise.app.ui.vlm;

import headwise.app.export.Exporter;
import headwise.app.export.VlmViews;
import headwise.app.session.Session;
import headwise.app.ui.model.AppModel;
import headwise.app.ui.model.BackgroundReads;
import headwise.app.ui.model.EngineTasks;
import headwise.app.ui.model.ModelLifecycle;
import headwise.app.ui.model.StatusLine;
import headwise.app.ui.model.VisionLanguageRun;
import headwise.engine.image.PixelImage;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.AnalysisResult;
import headwise.engine.vlm.TokenClasses;
import headwise.engine.vlm.analysis.ClassShares;
import headwise.engine.vlm.analysis.HeadDivergence;
import headwise.engine.vlm.analysis.JoinedRuns;
import headwise.engine.vlm.analysis.JoinedSequence;
import headwise.engine.vlm.analysis.VisualAttentionRedistribution;
import headwise.engine.vlm.analysis.VisualSinks;
import headwise.viz.Figure;
import headwise.viz.export.FigureFormat;
import headwise.viz.vlm.ImageAttentionFigure;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The VLM page's state and its background jobs (docs/vlm.md): for the session's joined sequence, the token-class
 * shares (read from the run's own attention), the visual sinks and the image the model saw (one forward, computed on
 * its own when the page shows a new run), and on request VAR (two forwards), VHD (two) and FlowCut's pruning curves
 * (one, plus a batch of two per fraction). One job at a time with progress and Cancel; results are kept per run and
 * dropped when a new run arrives. FX thread only.
 */
public final class VlmPageModel {

    /** What the page shows for one run: its classes, shares, sinks, and the image the tower saw. */
    public record Basics(AnalysisResult result, TokenClasses classes, ClassShares shares, ClassShares.Rows rows,
                         VisualSinks sinks, PixelImage seen) {
    }

    /** VAR's result with the clean and shifted top tokens spelled out. */
    public record Var(AnalysisResult result, VisualAttentionRedistribution.Result outcome, String[] cleanTop, String[] shiftedTop) {
    }

    /** FlowCut's curves for one run. */
    public record Flow(AnalysisResult result, VlmViews.FlowCurves curves) {
    }

    /** VHD's map over the answer positions. */
    public record Divergence(AnalysisResult result, HeadDivergence vhd) {
    }

    /** How many top tokens VAR's output change lists. */
    static final int TOP = 5;

    private final AppModel app;
    private final BiConsumer<Integer, Integer> openHead;
    private final EngineTasks tasks = new EngineTasks();
    /** The overlay's reads of the run's attention: at once for stored maps, in the background for recomputed ones. */
    private final BackgroundReads reads;
    private final ObjectProperty<ClassShares.Rows> rows = new SimpleObjectProperty<>(ClassShares.Rows.ALL);
    private final DoubleProperty tau = new SimpleDoubleProperty(Double.NaN);
    private final ObjectProperty<Basics> basics = new SimpleObjectProperty<>();
    private final ObjectProperty<Var> var = new SimpleObjectProperty<>();
    private final ObjectProperty<Divergence> divergence = new SimpleObjectProperty<>();
    private final ObjectProperty<Flow> flow = new SimpleObjectProperty<>();
    private final StringProperty status = new SimpleStringProperty("");

    /** @param openHead selects a head in the whole app and opens the Head page */
    public VlmPageModel(AppModel app, BiConsumer<Integer, Integer> openHead) {
        this.app = app;
        this.openHead = openHead;
        this.reads = new BackgroundReads(app::report);
    }

    public ObjectProperty<ClassShares.Rows> rowsProperty() {
        return rows;
    }

    /** τ of the sinks; NaN until a run sets the default for its width. */
    public DoubleProperty tauProperty() {
        return tau;
    }

    public ObjectProperty<Basics> basicsProperty() {
        return basics;
    }

    public ObjectProperty<Var> varProperty() {
        return var;
    }

    public ObjectProperty<Divergence> divergenceProperty() {
        return divergence;
    }

    public ObjectProperty<Flow> flowProperty() {
        return flow;
    }

    public StringProperty statusProperty() {
        return status;
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return tasks.busyProperty();
    }

    public ReadOnlyDoubleProperty progressProperty() {
        return tasks.progressProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return tasks.messageProperty();
    }

    /** The open model's name, or null. */
    public String modelName() {
        return app.modelName();
    }

    /** Whether the open model is a vision-language model. */
    public boolean isVisionLanguage() {
        return app.takesImageWithText();
    }

    /** Whether {@code s} is a run of a vision-language model on text joined with an image. */
    public static boolean joined(Session s) {
        return s != null && s.result().input().embeddings() != null;
    }

    /** Drops what belongs to an older run; the page then asks for the basics of the new one. */
    public void newRun(Session s) {
        AnalysisResult r = s == null ? null : s.result();
        if (var.get() != null && var.get().result() != r) {
            var.set(null);
        }
        if (divergence.get() != null && divergence.get().result() != r) {
            divergence.set(null);
        }
        if (flow.get() != null && flow.get().result() != r) {
            flow.set(null);
        }
        if (r != null && Double.isNaN(tau.get())) {
            tau.set(VlmViews.defaultTau(r.spec().dModel()));
        }
    }

    /** Whether the basics on hand are those of {@code s} with the current row choice and τ. */
    public boolean hasBasics(Session s) {
        Basics b = basics.get();
        return b != null && s != null && b.result() == s.result() && b.rows() == rows.get()
                && b.sinks().options().tau() == tau.get();
    }

    /** Classes, shares (from the run's attention), sinks (one forward) and the image, in the background. */
    public void computeBasics(Session s) {
        AnalysisResult r = s.result();
        ClassShares.Rows chosenRows = rows.get();
        double chosenTau = tau.get();
        var state = app.runState(); // the image the shown run saw
        submit("Token classes and visual sinks\u2026", (model, progress) -> {
            JoinedSequence seq = JoinedRuns.of(model, r.input());
            progress.step("Token-class shares\u2026", 0, 3);
            TokenClasses classes = seq.classes();
            ClassShares shares = ClassShares.of(r.attention(), classes, ClassShares.queries(classes, chosenRows));
            progress.step("Visual sinks\u2026", 1, 3);
            VisualSinks sinks = VisualSinks.find(seq, VlmViews.sinkOptions(r.spec().layers(), chosenTau));
            progress.step("The image\u2026", 2, 3);
            PixelImage seen = VisionLanguageRun.prepared(model, state).seen();
            return new Basics(r, classes, shares, chosenRows, sinks, seen);
        }, done -> {
            basics.set(done);
            status.set(done.sinks().sinks().size() + " visual sink" + (done.sinks().sinks().size() == 1 ? "" : "s")
                    + String.format(java.util.Locale.ROOT, " at \u03c4 = %.3g", done.sinks().options().tau()));
        });
    }

    /** VAR on the sinks found: the clean and the redistributed run's output (two forwards). */
    public void runVar() {
        Basics b = basics.get();
        if (b == null) {
            return;
        }
        submit("VAR: redistributing the visual sinks' attention\u2026", (model, progress) -> {
            JoinedSequence seq = JoinedRuns.of(model, b.result().input());
            var options = VisualAttentionRedistribution.Options.defaults().withFromLayer(b.sinks().options().fromLayer());
            VisualAttentionRedistribution.Result out = VisualAttentionRedistribution.apply(seq, b.sinks(), options, -1, null);
            return new Var(b.result(), out, top(model, out.shift().original()), top(model, out.shift().shifted()));
        }, done -> {
            var.set(done);
            status.set(String.format(java.util.Locale.ROOT, "VAR: KL(clean \u2016 shifted) = %.3g", done.outcome().shift().kl()));
        });
    }

    /** VHD over the answer positions (the last position: the app generates nothing), two forwards. */
    public void runDivergence() {
        Basics b = basics.get();
        if (b == null) {
            return;
        }
        submit("Vision-aware head divergence\u2026", (model, progress) ->
                new Divergence(b.result(), HeadDivergence.compute(JoinedRuns.of(model, b.result().input()), null, 5)), done -> {
            divergence.set(done);
            status.set("VHD: click a head to open it");
        });
    }

    /** FlowCut's scores (the CLS relay where the tower has a CLS) and both pruning curves. */
    public void runFlowCut() {
        Basics b = basics.get();
        if (b == null) {
            return;
        }
        var state = app.runState(); // the image the shown run saw
        submit("FlowCut: scoring the image tokens\u2026", (model, progress) -> {
            var image = VisionLanguageRun.prepared(model, state);
            int[] stage = {0};
            return new Flow(b.result(), VlmViews.flowCut(model, JoinedRuns.of(model, b.result().input()), image,
                    name -> progress.step(name, stage[0]++, 3)));
        }, done -> {
            flow.set(done);
            status.set("FlowCut ranked by " + done.curves().criterion());
        });
    }

    /** One query's attention over the image (a head or the mean of heads), the sinks marked, to {@code onDone}. */
    public void overlay(Session s, Basics b, int layer, int head, int query, Consumer<ImageAttentionFigure> onDone) {
        reads.read(s, () -> VlmViews.overlay(b.result().attention(), b.classes(), b.result().input().tokens(), b.seen(), b.sinks(),
                layer, head, query), onDone);
    }

    /**
     * Writes {@code figures} (name → figure, e.g. "vlm-shares", the names {@code export --view} uses) as PNG and SVG
     * into {@code folder}, in the background.
     */
    public void exportFigures(Path folder, Map<String, Figure> figures) {
        if (figures.isEmpty()) {
            status.set("Nothing to export yet");
            return;
        }
        status.set("");
        tasks.submit("Exporting the VLM figures\u2026", progress -> {
            int done = 0;
            for (Map.Entry<String, Figure> f : figures.entrySet()) {
                progress.step("Exporting " + f.getKey() + "\u2026", done++, figures.size());
                for (FigureFormat format : new FigureFormat[] {FigureFormat.PNG, FigureFormat.SVG}) {
                    Exporter.writeFigure(f.getValue(), f.getKey(), format, 2, folder.resolve(f.getKey() + "." + format.extension()));
                }
            }
            return folder;
        }, done -> status.set("Exported " + figures.size() + " figure" + (figures.size() == 1 ? "" : "s") + " (PNG, SVG) to " + done),
                error -> status.set(StatusLine.describe(error)));
    }

    /** Stops the running job; what was shown stays. */
    public void cancel() {
        if (tasks.cancel()) {
            status.set("Cancelled");
        }
    }

    /** Selects the head in the whole app and opens the Head page, as the other maps do. */
    public void openHead(int layer, int head) {
        openHead.accept(layer, head);
    }

    /** A token quoted, its control characters escaped and long ones cut, so the table stays aligned. */
    static String shown(String token) {
        StringBuilder out = new StringBuilder("'");
        for (char c : token.toCharArray()) {
            out.append(Character.isISOControl(c) ? String.format(java.util.Locale.ROOT, "\\x%02x", (int) c) : String.valueOf(c));
        }
        String quoted = out.append('\'').toString();
        return quoted.length() <= 12 ? quoted : quoted.substring(0, 10) + "\u2026'";
    }

    /** The top {@link #TOP} tokens of a distribution as "token  probability". */
    private static String[] top(LoadedModel model, double[] p) {
        int[] order = java.util.stream.IntStream.range(0, p.length).boxed()
                .sorted((a, c) -> Double.compare(p[c], p[a])).limit(TOP).mapToInt(Integer::intValue).toArray();
        String[] out = new String[order.length];
        for (int i = 0; i < order.length; i++) {
            out[i] = String.format(java.util.Locale.ROOT, "%-12s %.4f", shown(VlmViews.token(model, order[i])), p[order[i]]);
        }
        return out;
    }

    private interface Work<T> {
        T call(LoadedModel model, EngineTasks.Progress progress) throws Exception;
    }

    private <T> void submit(String message, Work<T> work, Consumer<T> onDone) {
        ModelLifecycle.Handle handle = app.runner().models().current();
        if (handle == null) {
            status.set("Open a model first");
            return;
        }
        status.set("");
        tasks.submit(message, progress -> {
            try (ModelLifecycle.Lease lease = handle.lease()) {
                return work.call(lease.model(), progress);
            }
        }, onDone, error -> status.set(StatusLine.describe(error)));
    }
}
