package headwise.app.ui.core;

import headwise.app.export.QuietStdout;
import headwise.app.export.RelevanceFigures;
import headwise.app.session.RelevanceChoice;
import headwise.app.session.Session;
import headwise.app.session.SessionState;
import headwise.app.ui.model.AppModel;
import headwise.engine.analysis.relevance.Faithfulness;
import headwise.engine.analysis.relevance.FaithfulnessBaseline;
import headwise.engine.analysis.relevance.Relevance;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.analysis.relevance.RelevanceMethod;
import headwise.engine.analysis.relevance.RelevanceTarget;
import headwise.app.ui.model.VisionLanguageRun;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Matrix;
import headwise.engine.run.ModelInput;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The Relevance page's state and jobs: which methods to show, which output to explain (the top-k choices of the
 * run's output), the maps of every method for that target and their faithfulness curves, each computed as the
 * runner's side job (one forward and backward per method; one batched forward per curve step). The maps measure
 * the model without the run's interventions. FX thread only.
 */
public final class RelevancePageModel {

    /** The method choice that shows every method side by side. */
    public static final String ALL = RelevanceChoice.ALL;
    /** How many top outputs the target list offers. */
    public static final int TOP_K = 5;

    /** A target offered to the user; {@code target} null is the default (the top output). */
    public record Choice(String label, RelevanceTarget target) {
        @Override
        public String toString() {
            return label;
        }
    }

    /** Maps computed for one input and target. */
    public record Maps(AnalysisResult result, RelevanceTarget asked, List<RelevanceMap> maps) {
    }

    /** What a maps job brings: the maps, the baselines the model offers and a joined run's image (else null). */
    private record Computed(List<RelevanceMap> maps, List<FaithfulnessBaseline> baselines, RelevanceFigures.JoinedImage joined) {
    }

    /** A joined run's image, for the result it belongs to. */
    private record Joined(AnalysisResult result, RelevanceFigures.JoinedImage image) {
    }

    private final AppModel app;
    private final ObjectProperty<String> method = new SimpleObjectProperty<>(ALL);
    private final ObjectProperty<Choice> target = new SimpleObjectProperty<>();
    private final ObjectProperty<Maps> maps = new SimpleObjectProperty<>();
    private final ObjectProperty<List<Faithfulness>> curves = new SimpleObjectProperty<>();
    private final ObjectProperty<FaithfulnessBaseline> baseline = new SimpleObjectProperty<>();
    private final ObservableList<FaithfulnessBaseline> baselines = FXCollections.observableArrayList();
    private final StringProperty status = new SimpleStringProperty("");
    private final ObjectProperty<Joined> joined = new SimpleObjectProperty<>();
    private AnalysisResult baselinesFor;

    /** The choices start as the session's (a restored session's page shows what it showed) and are saved with it. */
    public RelevancePageModel(AppModel app) {
        this.app = app;
        method.set(choice().method());
        method.addListener((o, was, now) -> {
            if (now != null) {
                app.updateSelection(s -> s.withRelevance(s.relevance().withMethod(now)));
            }
        });
        target.addListener((o, was, now) -> {
            RelevanceTarget t = now == null ? null : now.target();
            app.updateSelection(s -> s.withRelevance(s.relevance().withTarget(t == null ? -1 : t.position(), t == null ? -1 : t.id())));
        });
        baseline.addListener((o, was, now) -> {
            if (now != null) {
                app.updateSelection(s -> s.withRelevance(s.relevance().withBaseline(now.name())));
            }
        });
    }

    /** The session's saved choices. */
    RelevanceChoice choice() {
        return app.state().selection().relevance();
    }

    public ObjectProperty<FaithfulnessBaseline> baselineProperty() {
        return baseline;
    }

    /** The baselines the model offers (filled in the background for each run). */
    public ObservableList<FaithfulnessBaseline> baselines() {
        return baselines;
    }

    /**
     * Fills {@link #baselines} for the session's run when the maps came without a job (adopted from the session):
     * the tokenizer's special tokens are read in the background. A maps job brings them itself (a side job replaces
     * the one before, so the two must not race).
     */
    public void loadBaselines(Session session) {
        AnalysisResult result = session.result();
        if (baselinesFor == result || mapsFor(result) == null) {
            return;
        }
        boolean image = result.input().image() != null;
        var state = app.runState(); // the image the shown run saw
        app.runner().sideJob("faithfulness baselines", model -> new Computed(null, FaithfulnessBaseline.choices(model, image),
                        joinedImage(model, state, result.input())),
                offered -> {
                    showBaselines(result, offered.baselines());
                    joined.set(new Joined(result, offered.joined()));
                }, problem -> status.set("Baselines: " + problem));
    }

    /** The image of a vision-language model's joined input (the session's image, as its tower saw it), else null. */
    private static RelevanceFigures.JoinedImage joinedImage(LoadedModel model, SessionState state, ModelInput input) {
        if (input.embeddings() == null || model.visionLanguage() == null) {
            return null;
        }
        return RelevanceFigures.JoinedImage.of(model, input, VisionLanguageRun.prepared(model, state).seen());
    }

    /** The image {@code result}'s joined input was made of, once loaded; null for any other run. */
    public RelevanceFigures.JoinedImage joinedImageFor(AnalysisResult result) {
        Joined j = joined.get();
        return j != null && j.result() == result ? j.image() : null;
    }

    /** Changes when a joined run's image has been loaded (the maps are drawn on it). */
    ObjectProperty<?> joinedProperty() {
        return joined;
    }

    /** The offered baselines with the saved one selected (a saved id the list lacks is added), else the default. */
    private void showBaselines(AnalysisResult result, List<FaithfulnessBaseline> offered) {
        baselinesFor = result;
        String saved = choice().baseline();
        List<FaithfulnessBaseline> all = new ArrayList<>(offered);
        FaithfulnessBaseline chosen = all.stream().filter(b -> b.name().equals(saved)).findFirst().orElse(null);
        if (chosen == null && saved.matches("id:\\d{1,9}") && result.input().image() == null
                && Integer.parseInt(saved.substring(3)) < result.output().cols()) {
            chosen = FaithfulnessBaseline.token(Integer.parseInt(saved.substring(3)));
            all.add(chosen);
        }
        baselines.setAll(all);
        baseline.set(chosen != null ? chosen : all.get(0));
    }

    /** The saved target as one of {@code choices} (the first, the top output, when it is not among them). */
    RelevancePageModel.Choice savedChoice(List<Choice> choices) {
        RelevanceChoice c = choice();
        for (Choice offered : choices) {
            RelevanceTarget t = offered.target();
            if (t == null ? c.target() < 0 : t.id() == c.target() && t.position() == c.position()) {
                return offered;
            }
        }
        return choices.get(0);
    }

    /**
     * Maps the session's results hold already for the chosen target (a RELEVANCE part, or a restored session's
     * maps), adopted instead of computing them again; false when there are none for it.
     */
    boolean adoptSessionMaps(Session session) {
        List<RelevanceMap> held = session.results().relevance();
        Choice c = target.get();
        RelevanceTarget asked = c == null ? null : c.target();
        if (held == null || held.isEmpty() || held.size() != RelevanceMethod.values().length) {
            return false;
        }
        RelevanceTarget got = held.get(0).target();
        boolean same = asked != null ? asked.equals(got) : got.equals(defaultTarget(session.result()));
        if (same) {
            maps.set(new Maps(session.result(), asked, held));
        }
        return same;
    }

    /** The target the engine resolves when none is asked: the top output at the default row. */
    static RelevanceTarget defaultTarget(AnalysisResult r) {
        Matrix o = r.output();
        int row = o.rows() == 1 || RelevanceFigures.hidden(r) ? 0 : o.rows() - 1;
        return new RelevanceTarget(row, RelevanceTarget.argmax(o, row));
    }

    public ObjectProperty<String> methodProperty() {
        return method;
    }

    public ObjectProperty<Choice> targetProperty() {
        return target;
    }

    public ObjectProperty<Maps> mapsProperty() {
        return maps;
    }

    public ObjectProperty<List<Faithfulness>> curvesProperty() {
        return curves;
    }

    public StringProperty statusProperty() {
        return status;
    }

    /** The method names the list offers: {@link #ALL} then each method. */
    public static List<String> methodChoices() {
        List<String> out = new ArrayList<>(List.of(ALL));
        for (RelevanceMethod m : RelevanceMethod.values()) {
            out.add(m.id());
        }
        return out;
    }

    /** The default, then the top-k outputs of the run at the default position (cheap: reads the output row). */
    public static List<Choice> targetChoices(AnalysisResult r) {
        List<Choice> out = new ArrayList<>();
        out.add(new Choice("top output", null));
        Matrix o = r.output();
        if (RelevanceFigures.hidden(r)) {
            return out; // a bare encoder's outputs are hidden dimensions, not predictions: offer only the default
        }
        int row = o.rows() == 1 ? 0 : o.rows() - 1;
        int width = o.cols();
        float[] v = o.values();
        int[] top = IntStream.range(0, width).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -v[row * width + c]).thenComparingInt(c -> c))
                .limit(TOP_K).mapToInt(Integer::intValue).toArray();
        for (int id : top) {
            out.add(new Choice(String.format(Locale.ROOT, "%s %d (%.3g)", r.input().image() != null ? "class" : "id", id,
                    v[row * width + id]), new RelevanceTarget(row, id)));
        }
        return out;
    }

    /** The maps to draw for {@code result}: null until computed for it and the current target. */
    public List<RelevanceMap> mapsFor(AnalysisResult result) {
        Maps m = maps.get();
        Choice c = target.get();
        RelevanceTarget asked = c == null ? null : c.target();
        if (m == null || m.result() != result || !java.util.Objects.equals(m.asked(), asked)) {
            return null;
        }
        if (ALL.equals(method.get())) {
            return m.maps();
        }
        return m.maps().stream().filter(x -> x.method().equals(method.get())).toList();
    }

    /** Computes every method's map for the session's input and the chosen target in the background. */
    public void compute(Session session) {
        AnalysisResult result = session.result();
        ModelInput input = result.input();
        Choice c = target.get();
        RelevanceTarget asked = c == null ? null : c.target();
        Integer position = asked == null ? null : asked.position();
        Integer id = asked == null ? null : asked.id();
        status.set("Computing relevance maps\u2026");
        curves.set(null);
        boolean image = input.pixels() != null;
        var state = app.runState(); // the image the shown run saw
        app.runner().sideJob("relevance maps", model -> new Computed(QuietStdout.call(() ->
                        Relevance.computeAll(model, Relevance.prepare(model, input, position, id))),
                        FaithfulnessBaseline.choices(model, image), joinedImage(model, state, input)),
                done -> {
                    joined.set(new Joined(result, done.joined()));
                    maps.set(new Maps(result, asked, done.maps()));
                    if (baselinesFor != result) {
                        showBaselines(result, done.baselines());
                    }
                    app.runner().addRelevance(result, done.maps());
                    app.updateSelection(s -> s.withRelevance(s.relevance().withComputed(true)));
                    status.set("");
                }, problem -> status.set("Relevance: " + problem));
    }

    /** Deletion and insertion curves of every computed map, in the background (one batched forward per 8 steps). */
    public void computeCurves(Session session) {
        Maps m = maps.get();
        if (m == null || m.result() != session.result()) {
            return;
        }
        status.set("Computing faithfulness curves\u2026");
        ModelInput input = m.result().input();
        FaithfulnessBaseline chosen = baseline.get();
        app.runner().sideJob("faithfulness curves", model -> {
            FaithfulnessBaseline b = chosen != null ? chosen : FaithfulnessBaseline.parse(null, model, input.pixels() != null);
            return Faithfulness.computeAll(model, input, m.maps(), b);
        }, done -> {
            curves.set(done);
            app.runner().addFaithfulness(m.result(), m.maps(), done);
            status.set("");
        }, problem -> status.set("Faithfulness: " + problem));
    }
}
