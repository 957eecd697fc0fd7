package headwise.app.ui;

import headwise.app.StartupTrace;
import headwise.app.export.ImportanceChoice;
import headwise.app.export.Session;
import headwise.app.export.SessionAnalysis;
import headwise.app.io.ImageFiles;
import headwise.app.ui.head.QkProjection;
import headwise.app.ui.state.AppPaths;
import headwise.app.ui.state.InterventionPlan;
import headwise.app.ui.state.Prediction;
import headwise.app.ui.state.RecentModels;
import headwise.app.ui.state.SessionFile;
import headwise.app.ui.state.SessionState;
import headwise.engine.HeadwiseException;
import headwise.engine.hooks.Interventions;
import headwise.engine.image.ImagePreprocessor;
import headwise.engine.image.PreprocessorConfig;
import headwise.engine.load.BundledModels;
import headwise.engine.load.LoadedModel;
import headwise.engine.load.ModelLoader;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import headwise.viz.view.ModelThumbnails;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * The window's view model: the session being explored (as a {@link SessionState} of choices and a {@link Session}
 * of results), read-only properties the views bind to, and commands. FX thread only; all engine work runs in
 * {@link EngineTasks}. A failed run leaves the previous results and choices in place and says why in one line; every
 * change of the choices is autosaved, so a killed app restarts where it was.
 */
public final class MainModel {

    private final ReadOnlyObjectWrapper<SessionState> state = new ReadOnlyObjectWrapper<>(this, "state", SessionState.defaults());
    private final ReadOnlyObjectWrapper<Session> session = new ReadOnlyObjectWrapper<>(this, "session");
    private final ReadOnlyObjectWrapper<Prediction> prediction = new ReadOnlyObjectWrapper<>(this, "prediction");
    private final ReadOnlyObjectWrapper<Prediction> originalPrediction = new ReadOnlyObjectWrapper<>(this, "originalPrediction");
    private final ReadOnlyObjectWrapper<ModelSpec> spec = new ReadOnlyObjectWrapper<>(this, "spec");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyBooleanWrapper failed = new ReadOnlyBooleanWrapper(this, "failed", false);
    private final ObservableList<String> recentModels = FXCollections.observableArrayList();
    private final EngineTasks tasks = new EngineTasks();
    /** Small jobs a page asks for (the q/k projection): never cancel the main run, never shown as busy. */
    private final EngineTasks sideTasks = new EngineTasks();
    private final Path autosave;
    private final Path recentFile;
    private final Set<SessionAnalysis.Part> pendingParts = EnumSet.noneOf(SessionAnalysis.Part.class);
    private LoadedModel model;
    /** The second model of compare mode, loaded once on an engine thread and kept until another replaces it. */
    private final CompareModels compareModels = new CompareModels();
    /** The first model and run, begun before the window existed (cold start), or null. */
    private StartupPreload<Outcome> preload;
    /** Shown after the first run instead of its summary, then forgotten. */
    private String startupProblem;

    /** @param autosave where every change is saved, or null for no autosave */
    public MainModel(Path autosave) {
        this.autosave = autosave;
        this.recentFile = autosave == null ? null : AppPaths.recentModelsFile(autosave);
        if (recentFile != null) {
            recentModels.setAll(RecentModels.read(recentFile));
        }
    }

    public ReadOnlyObjectProperty<SessionState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /** The latest results, or null before the first successful run. */
    public ReadOnlyObjectProperty<Session> sessionProperty() {
        return session.getReadOnlyProperty();
    }

    /** What the current run predicts (with the interventions applied). */
    public ReadOnlyObjectProperty<Prediction> predictionProperty() {
        return prediction.getReadOnlyProperty();
    }

    /** What the run without interventions predicts; null when no intervention is active. */
    public ReadOnlyObjectProperty<Prediction> originalPredictionProperty() {
        return originalPrediction.getReadOnlyProperty();
    }

    /** The loaded model's shape, or null before a model is loaded. */
    public ReadOnlyObjectProperty<ModelSpec> specProperty() {
        return spec.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty failedProperty() {
        return failed.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return tasks.busyProperty();
    }

    /** Progress of the running job: −1 unknown, 0 idle. */
    public ReadOnlyDoubleProperty progressProperty() {
        return tasks.progressProperty();
    }

    public ReadOnlyStringProperty taskMessageProperty() {
        return tasks.messageProperty();
    }

    /** Models opened before, newest first (read-only to views). */
    public ObservableList<String> recentModels() {
        return FXCollections.unmodifiableObservableList(recentModels);
    }

    public SessionState state() {
        return state.get();
    }

    public Session session() {
        return session.get();
    }

    public boolean isBusy() {
        return tasks.isBusy();
    }

    /** Engine jobs whose thread still runs (cancelled ones included until they stop). */
    public int jobsInFlight() {
        return tasks.inFlight();
    }

    /** The name of the loaded model, or null. */
    public String modelName() {
        return model == null ? null : model.name();
    }

    /** Whether the loaded model takes images. */
    public boolean isVisionModel() {
        return spec.get() != null && spec.get().vision() != null;
    }

    /** Whether text input is tokenized (otherwise the text box takes comma-separated ids). */
    public boolean hasTokenizer() {
        return model != null && model.hasTokenizer();
    }

    // ---- commands ----

    /** Restores {@code initial}: loads its model and runs its input. */
    public void start(SessionState initial) {
        start(initial, null);
    }

    /**
     * As {@link #start(SessionState)}; {@code problem} (e.g. why the autosaved session could not be read) is shown
     * once the first run is done, so it is not lost behind the loading messages.
     */
    public void start(SessionState initial, String problem) {
        startupProblem = problem;
        state.set(initial);
        openModel(initial.model());
    }

    /** Loads a model (bundled name or folder) and runs the current input on it; on failure the old model stays. */
    public void openModel(String name) {
        if (name == null || name.isBlank()) {
            return;
        }
        StartupPreload<Outcome> early = preload != null && preload.loads(name) ? preload : null;
        if (preload != null && early == null) {
            preload.discard();
            preload = null;
        }
        tasks.submit("Loading " + name + "\u2026", p -> early != null ? early.model() : ModelLoader.load(name).withOptions(HeadwiseApp.FORWARD_OPTIONS), loaded -> {
            LoadedModel previous = model;
            model = loaded;
            spec.set(loaded.spec());
            if (previous != null && previous != loaded) {
                previous.close();
            }
            rememberModel(name);
            change(fitted(state.get(), name, loaded));
            runNow();
        }, error -> {
            if (model == null && !name.equals(BundledModels.MINILM)) {
                // nothing on screen yet (a restored session whose model is gone): say why, and start on the bundled model
                startupProblem = describe(error) + "; opened " + BundledModels.MINILM + " instead";
                state.set(state.get().withModel(BundledModels.MINILM).withPlan(InterventionPlan.none()));
                openModel(BundledModels.MINILM);
                return;
            }
            fail(error);
        });
    }

    /**
     * Opens a bundled model; a sample model comes with its ready example (the decoder's repeated sentence, where its
     * induction head shows; one of the ViT's example images), so the first view already shows what it is for.
     */
    public void openBundled(String name) {
        for (BundledModels.Sample sample : BundledModels.samples()) {
            if (sample.name().equalsIgnoreCase(name)) {
                SessionState s = state.get();
                if (sample.exampleText() != null) {
                    s = s.withText(sample.exampleText());
                }
                if (sample.exampleImage() != null) {
                    s = s.withImage(sample.exampleImage().toString());
                }
                change(s);
            }
        }
        openModel(name);
    }

    /** Analyses {@code text} (Enter in the text box). */
    public void analyse(String text) {
        change(state.get().withText(text == null ? "" : text));
        runNow();
    }

    /** Sets the second input of compare mode ("" for none) and reruns. */
    public void setCompareText(String text) {
        change(state.get().withCompareText(text == null ? "" : text));
        runNow();
    }

    /**
     * Sets the second model of compare mode (a bundled name or a folder, "" or null for none) and reruns: the same
     * input is analysed by both models. It is loaded in the background; a load that fails says why in one line and
     * keeps the previous results.
     */
    public void setCompareModel(String name) {
        change(state.get().withCompareModel(name == null ? "" : name));
        runNow();
    }

    /** The name of the loaded compare model, or null (for tests and the status line). */
    public String compareModelName() {
        return compareModels.loadedName();
    }

    /** Sets the image input of a vision model and reruns. */
    public void setImage(Path file) {
        change(state.get().withImage(file == null ? "" : file.toString()));
        runNow();
    }

    /** Selects a head (−1 for none); redraws without running anything. */
    public void select(int layer, int head) {
        Session s = session.get();
        if (s != null) {
            int layers = s.result().attention().layers();
            int heads = s.result().attention().heads();
            if (layer < 0 || layer >= layers || head < -1 || head >= heads) {
                return;
            }
            session.set(s.withSelection(layer, head));
        }
        change(state.get().withSelection(layer, head));
    }

    public void setLogScale(boolean log) {
        if (state.get().logScale() == log) {
            return;
        }
        Session s = session.get();
        if (s != null) {
            session.set(s.withLogScale(log));
        }
        change(state.get().withLogScale(log));
    }

    /** The heatmap's selected query row and key column (−1 for none); saved, nothing reruns. */
    public void setCells(int query, int key) {
        SessionState s = state.get();
        if (s.query() != query || s.key() != key) {
            change(s.withCells(query, key));
        }
    }

    /** The head whose q/k projection is shown; (−1, −1) for the heatmap's own head. Saved, nothing reruns. */
    public void setQkHead(int layer, int head) {
        SessionState s = state.get();
        if (s.qkLayer() != layer || s.qkHead() != head) {
            change(s.withQkHead(layer, head));
        }
    }

    /**
     * Which importance measure the model view's bars show; when the session has importance already and lacks this
     * measure (mean ablation after zero), it is computed in the background.
     */
    public void setImportance(ImportanceChoice choice) {
        if (state.get().importance() == choice) {
            return;
        }
        change(state.get().withImportance(choice));
        Session s = session.get();
        if (s != null) {
            session.set(s.withImportanceChoice(choice));
            if (s.ablation() != null || s.gradient() != null) {
                requestPart(SessionAnalysis.Part.IMPORTANCE);
            }
        }
    }

    /** Remembers which page is shown (restored with the session). */
    public void setPage(String title) {
        change(state.get().withPage(title));
    }

    /** Applies new interventions and reruns. */
    public void setPlan(InterventionPlan plan) {
        change(state.get().withPlan(plan));
        runNow();
    }

    /** Computes a part a page needs for the current session (after the running job, if any). */
    public void requestPart(SessionAnalysis.Part part) {
        Session s = session.get();
        if (s == null || part == SessionAnalysis.Part.COMPARISON || has(s, part)) {
            return;
        }
        pendingParts.add(part);
        if (!tasks.isBusy()) {
            runPendingParts();
        }
    }

    /** Stops the running job; the previous results stay. */
    public void cancel() {
        pendingParts.clear();
        if (tasks.cancel()) {
            show(session.get() == null ? "Cancelled" : "Cancelled; showing the previous results", false);
        }
    }

    /** Writes the session's choices to {@code file}. */
    public void saveSession(Path file) {
        try {
            SessionFile.write(state.get(), file);
            show("Session saved to " + file, false);
        } catch (HeadwiseException e) {
            fail(e);
        }
    }

    /** Opens a session file: its model, input, selection and interventions; a bad file changes nothing. */
    public void openSession(Path file) {
        SessionState restored;
        try {
            restored = SessionFile.read(file);
        } catch (HeadwiseException e) {
            fail(e);
            return;
        }
        start(restored);
    }

    /** Reports an error from the view (a bad drop, an export that failed) like an engine error. */
    public void report(Throwable error) {
        fail(error);
    }

    /** Reports a message from the view. */
    public void report(String message) {
        show(message, false);
    }

    /**
     * Projects one head's queries and keys (one extra forward, in the background) for the current input; a newer
     * request replaces an older one. {@code onProblem} gets a one-line reason when it fails.
     */
    public void projectQk(int layer, int head, Consumer<QkProjection> onDone, Consumer<String> onProblem) {
        LoadedModel current = model;
        Session s = session.get();
        if (current == null || s == null) {
            return;
        }
        ModelInput input = s.result().input();
        sideTasks.submit("q/k projection", p -> QkProjection.capture(current, input, layer, head), onDone,
                error -> onProblem.accept(describe(error)));
    }

    public void close() {
        sideTasks.close();
        tasks.close();
        compareModels.clear();
        if (model != null) {
            model.close();
            model = null;
        }
    }

    /** Runs other background work (exports) through the same task bar: progress shown, cancellable. */
    public <T> void background(String message, EngineTasks.Work<T> work, Consumer<T> onSuccess) {
        tasks.submit(message, work, onSuccess, this::fail);
    }

    // ---- internals ----

    private void change(SessionState next) {
        state.set(next);
        if (autosave != null) {
            try {
                SessionFile.write(next, autosave);
            } catch (HeadwiseException e) {
                show("Error: " + e.getMessage(), true); // shown, but the work goes on
            }
        }
    }

    private void rememberModel(String name) {
        recentModels.setAll(RecentModels.adding(recentModels, name));
        if (recentFile != null) {
            RecentModels.write(recentFile, recentModels);
        }
    }

    /** The state run on a newly loaded model: its name, the interventions fitted to its shape. */
    private static SessionState fitted(SessionState s, String name, LoadedModel loaded) {
        return s.withModel(name).withPlan(s.plan().fittedTo(loaded.spec().layers(), loaded.spec().heads()));
    }

    /**
     * Starts loading {@code initial}'s model and analysing it on a thread of its own, before the window exists
     * (HeadwiseApp.launchApp); {@link #adopt} hands it to the model that then starts on {@code initial}.
     * The run is handed over as soon as it is computed (Java2D is warmed up on a thread of its own meanwhile).
     */
    static StartupPreload<Outcome> preload(SessionState initial) {
        return new StartupPreload<>(initial, (loaded, s) -> fitted(s, s.model(), loaded), (loaded, s) -> run(loaded, null, s, (message, done, total) -> { }));
    }

    /** Uses {@code early}'s model and first run when {@link #start} asks for exactly them; call before start. */
    void adopt(StartupPreload<Outcome> early) {
        preload = early;
    }

    /**
     * The compare model: loaded on first use (on the engine thread that needs it), kept while the same one is
     * wanted, closed when another replaces it or compare mode no longer wants one. Loading holds the lock, so an
     * abandoned run still loading and the run after it never load the same model twice.
     */
    static final class CompareModels {
        private String name;
        private LoadedModel loaded;
        /** Read without the lock, so the FX thread never waits for a load. */
        private volatile String loadedName;

        /** The model for {@code wanted}, loaded now unless it is the one kept; a failed load keeps the old one. */
        synchronized LoadedModel get(String wanted) {
            if (loaded != null && wanted.equals(name)) {
                return loaded;
            }
            LoadedModel next = ModelLoader.load(wanted).withOptions(HeadwiseApp.FORWARD_OPTIONS);
            clear();
            name = wanted;
            loaded = next;
            loadedName = next.name();
            return next;
        }

        String loadedName() {
            return loadedName;
        }

        synchronized void clear() {
            if (loaded != null) {
                loaded.close();
            }
            loaded = null;
            name = null;
            loadedName = null;
        }
    }

    /** What one run computes. */
    record Outcome(SessionState from, Session session, Prediction prediction, Prediction original, long millis) {
    }

    private void runNow() {
        LoadedModel current = model;
        SessionState s = state.get();
        if (current == null) {
            openModel(s.model());
            return;
        }
        pendingParts.clear();
        StartupPreload<Outcome> early = preload;
        preload = null;
        // the early run knows no compare model
        boolean ranEarly = early != null && !s.hasCompareModel() && early.ran(current, s);
        tasks.submit("Analysing\u2026", p -> ranEarly ? early.run() : run(current, compareModels, s, p), done -> {
            prediction.set(done.prediction());
            originalPrediction.set(done.original());
            session.set(done.session());
            AnalysisResult r = done.session().result();
            AnalysisResult b = done.session().comparison();
            String versus = done.from().plan().isEmpty() && done.from().hasCompareModel() && b != null
                    ? " \u00b7 compared with " + b.modelName() : "";
            show(String.format(Locale.ROOT, "%s \u00b7 %d tokens \u00b7 %d layers \u00d7 %d heads \u00b7 %s%s \u00b7 %d ms", r.modelName(),
                    r.input().length(), r.spec().layers(), r.spec().heads(), done.from().plan().describe(), versus, done.millis()), false);
            if (startupProblem != null) {
                show("Error: " + startupProblem, true);
                startupProblem = null;
            }
            runPendingParts();
        }, this::fail);
    }

    /**
     * The run for {@code s} (background thread): input, original run, intervened run, comparison. What B of compare
     * mode is, by precedence: the run without the interventions when there are any; else the same input through the
     * compare model when one is set ({@code others} loads it once; null: no compare model); else the compare text.
     */
    private static Outcome run(LoadedModel model, CompareModels others, SessionState s, EngineTasks.Progress progress) {
        long start = System.nanoTime();
        boolean intervene = !s.plan().isEmpty();
        boolean compareModel = !intervene && others != null && s.hasCompareModel();
        boolean compare = !intervene && !compareModel && !s.compareText().isBlank() && model.spec().vision() == null;
        if (others != null && !s.hasCompareModel()) {
            others.clear(); // compare mode without a second model: it is closed
        }
        int steps = 1 + (intervene ? 1 : 0) + (compare || compareModel ? 1 : 0);
        progress.step("Analysing " + describeInput(s) + "\u2026", 0, steps);
        long t = StartupTrace.now();
        ModelInput input = input(model, s, s.text());
        StartupTrace.done("tokenizer + input", t);
        t = StartupTrace.now();
        AnalysisResult original = Analyzer.analyze(model, input);
        StartupTrace.done("first forward", t);
        AnalysisResult result = original;
        AnalysisResult comparison = null;
        int done = 1;
        if (intervene) {
            progress.step("Applying " + s.plan().describe() + "\u2026", done++, steps);
            result = Analyzer.analyze(model, input, s.plan().hooks(original));
            comparison = original;
        }
        if (compare) {
            progress.step("Analysing the comparison input\u2026", done, steps);
            comparison = Analyzer.analyze(model, input(model, s, s.compareText()));
        }
        if (compareModel) {
            progress.step("Loading " + shortName(s.compareModel()) + " to compare with\u2026", done, steps);
            LoadedModel other = others.get(s.compareModel());
            progress.step("Analysing " + describeInput(s) + " with " + other.name() + "\u2026", done, steps);
            comparison = Analyzer.analyze(other, input(other, s, s.text()));
        }
        int layers = result.spec().layers();
        int heads = result.spec().heads();
        int layer = Math.min(s.layer(), layers - 1);
        int head = Math.min(s.head(), heads - 1);
        // the model view's tiles are built here, once per run, so drawing the view only composes them
        t = StartupTrace.now();
        Session session = new Session(result, null, null, null, null, comparison, layer, head, s.logScale(),
                ModelThumbnails.of(result.attention()), s.importance());
        StartupTrace.done("thumbnail tiles", t);
        t = StartupTrace.now();
        Prediction p = Prediction.of(model, result);
        StartupTrace.done("prediction", t);
        Prediction o = intervene ? Prediction.of(model, original) : null;
        return new Outcome(s, session, p, o, (System.nanoTime() - start) / 1_000_000);
    }

    private static String describeInput(SessionState s) {
        return s.hasImage() ? Path.of(s.image()).getFileName().toString() : "the text";
    }

    /** The model input for {@code text} (or the image, for vision models). */
    static ModelInput input(LoadedModel model, SessionState s, String text) {
        ModelSpec spec = model.spec();
        if (spec.vision() != null) {
            if (!s.hasImage()) {
                throw new HeadwiseException(model.name() + " takes an image: choose one (Image\u2026) or drop it on the window");
            }
            Path file = Path.of(s.image());
            PreprocessorConfig config = PreprocessorConfig.read(model.folder(), spec);
            return ModelInput.fromImage(model, ImageFiles.read(file, ImagePreprocessor.resizeSide(config)));
        }
        if (text == null || text.isBlank()) {
            throw new HeadwiseException("the text is empty; type a sentence to analyse");
        }
        if (!model.hasTokenizer()) {
            try {
                return ModelInput.fromIds(model, ModelInput.parseIds(text)); // a model without tokenizer.json takes ids
            } catch (HeadwiseException e) {
                throw new HeadwiseException(model.name() + " has no tokenizer.json: type token ids separated by commas ("
                        + e.getMessage() + ")");
            }
        }
        return ModelInput.fromText(model, text);
    }

    private void runPendingParts() {
        Session s = session.get();
        LoadedModel current = model;
        if (s == null || current == null || pendingParts.isEmpty()) {
            pendingParts.clear();
            return;
        }
        Set<SessionAnalysis.Part> parts = EnumSet.copyOf(pendingParts);
        pendingParts.clear();
        SessionAnalysis.Options options = new SessionAnalysis.Options(s.layer(), s.head(), s.logScale(), null, -1,
                SessionAnalysis.Options.defaults().flowThreshold());
        Interventions.Ablation mode = ablationWanted();
        tasks.submit("Computing " + describe(parts) + "\u2026", p -> SessionAnalysis.addParts(current, s, parts, options, mode), done -> {
            Session now = session.get();
            if (now != null && now.result() == s.result()) {
                // keep the selection and bar measure chosen while the parts were computed
                session.set(done.withSelection(now.layer(), now.head()).withLogScale(now.logScale())
                        .withImportanceChoice(now.importance()));
                show("Computed " + describe(parts), false);
            }
            runPendingParts();
        }, this::fail);
    }

    private String describe(Set<SessionAnalysis.Part> parts) {
        return String.join(", ", parts.stream().map(p -> switch (p) {
            case METRICS -> "metrics and head types";
            case IMPORTANCE -> "head importance (" + ablationWanted().name().toLowerCase(Locale.ROOT) + " ablation and gradient)";
            case FLOW -> "the information flow";
            case COMPARISON -> "the comparison";
        }).toList());
    }

    /** The ablation mode importance is computed in: the bars' choice, zero when they show the gradient measure. */
    private Interventions.Ablation ablationWanted() {
        Interventions.Ablation mode = state.get().importance().ablation();
        return mode == null ? Interventions.Ablation.ZERO : mode;
    }

    private boolean has(Session s, SessionAnalysis.Part part) {
        return switch (part) {
            case METRICS -> s.metrics() != null;
            case IMPORTANCE -> s.ablation() != null && s.ablation().mode() == ablationWanted() && s.gradient() != null;
            case FLOW -> s.flow() != null;
            case COMPARISON -> s.comparison() != null;
        };
    }

    private void fail(Throwable error) {
        pendingParts.clear();
        if (error instanceof CancellationException) {
            show("Cancelled", false);
            return;
        }
        show("Error: " + describe(error), true);
    }

    private void show(String message, boolean error) {
        status.set(message);
        failed.set(error);
    }

    /** One line for the status bar: a HeadwiseException's own message, otherwise the kind of failure and its first line. */
    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HeadwiseException) {
                return t.getMessage().lines().findFirst().orElse("");
            }
        }
        String message = error.getMessage() == null ? "" : ": " + error.getMessage().lines().findFirst().orElse("");
        return error.getClass().getSimpleName() + message;
    }

    /** Shown in lists: the last part of a folder path, or a bundled model's name. */
    public static String shortName(String model) {
        Path p = Path.of(model);
        return p.getFileName() == null ? model : p.getFileName().toString();
    }

    List<String> recentSnapshot() {
        return List.copyOf(recentModels);
    }
}
