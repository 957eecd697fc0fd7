package headwise.app.ui.model;

import headwise.app.export.SessionAnalysis;
import headwise.app.session.EditHistory;
import headwise.app.session.InterventionPlan;
import headwise.app.session.Results;
import headwise.app.session.Selection;
import headwise.app.session.Session;
import headwise.app.session.SessionFile;
import headwise.app.session.SessionState;
import headwise.app.session.Theme;
import headwise.engine.HeadwiseException;
import headwise.engine.load.BundledModels;
import headwise.engine.load.LoadedModel;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * What the whole window shares, and nothing page-specific: the session state (model, input, interventions,
 * selection), the {@link Session} the pages draw (the {@link SessionRunner}'s latest results through the state's
 * selection: paired, never kept in step by hand), and the status line. A command that changes the input reruns
 * through the runner; every change of the state is handed to the {@link Autosave}. FX thread only; pages keep
 * their own state in their own view models, so a new page adds a file, not lines here.
 */
public final class AppModel {

    private final ReadOnlyObjectWrapper<SessionState> state = new ReadOnlyObjectWrapper<>(this, "state", SessionState.defaults());
    private final ReadOnlyObjectWrapper<Session> session = new ReadOnlyObjectWrapper<>(this, "session");
    private final StatusLine status = new StatusLine();
    private final Autosave autosave;
    private final RecentModels recent;
    private final SessionRunner runner;
    /** Undo/redo of interventions and selections; cleared when another model or session is opened. */
    private final EditHistory history = new EditHistory();
    private final ReadOnlyStringWrapper undoLabel = new ReadOnlyStringWrapper(this, "undoLabel", "");
    private final ReadOnlyStringWrapper redoLabel = new ReadOnlyStringWrapper(this, "redoLabel", "");

    /** @param autosaveFile where every change is saved, or null for no autosave */
    public AppModel(Path autosaveFile) {
        autosave = autosaveFile == null ? null
                : new Autosave(autosaveFile, problem -> Platform.runLater(() -> status.fail(problem)));
        recent = new RecentModels(autosaveFile == null ? null : AppPaths.recentModelsFile(autosaveFile),
                autosave == null ? Runnable::run : autosave::alsoWrite);
        runner = new SessionRunner(status, state::get, this::change, recent::add);
        state.addListener((o, was, now) -> pairSession());
        runner.resultsProperty().addListener((o, was, now) -> pairSession());
    }

    // ---- what views bind to ----

    public ReadOnlyObjectProperty<SessionState> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /** The latest results seen through the state's selection, or null before the first successful run. */
    public ReadOnlyObjectProperty<Session> sessionProperty() {
        return session.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.textProperty();
    }

    public ReadOnlyBooleanProperty failedProperty() {
        return status.failedProperty();
    }

    /** Models opened before, newest first (read-only to views). */
    public ObservableList<String> recentModels() {
        return recent.names();
    }

    public SessionState state() {
        return state.get();
    }

    /** What Undo would undo ("switch off L3 H2"), or "" when nothing: the Edit menu's label. */
    public ReadOnlyStringProperty undoLabelProperty() {
        return undoLabel.getReadOnlyProperty();
    }

    /** What Redo would redo, or "". */
    public ReadOnlyStringProperty redoLabelProperty() {
        return redoLabel.getReadOnlyProperty();
    }

    public Session session() {
        return session.get();
    }

    /**
     * The state the shown results were computed for: what reads the run's image (overlays, FlowCut, relevance on
     * pixels) must take it, not an image chosen since; the current state before any run.
     */
    public SessionState runState() {
        SessionState ran = runner.shownRunState();
        return ran != null ? ran : state.get();
    }

    public boolean isBusy() {
        return runner.tasks().isBusy();
    }

    /** Engine jobs whose thread still runs (cancelled ones included until they stop). */
    public int jobsInFlight() {
        return runner.tasks().inFlight();
    }

    /** What loads models and runs the state: pages' jobs go through it. */
    public SessionRunner runner() {
        return runner;
    }

    /** The autosave, or null. */
    public Autosave autosave() {
        return autosave;
    }

    /** The name of the loaded model, or null. */
    public String modelName() {
        LoadedModel m = runner.models().currentModel();
        return m == null ? null : m.name();
    }

    /** Whether the loaded model is a vision-language model, whose text goes with an image. */
    public boolean takesImageWithText() {
        LoadedModel m = runner.models().currentModel();
        return m != null && m.visionLanguage() != null;
    }

    /** The name of the loaded compare model, or null. */
    public String compareModelName() {
        return runner.models().compareName();
    }

    // ---- commands that change the input: each reruns ----

    /**
     * Restores {@code initial}: loads its model and runs its input; {@code problem} (e.g. why the autosaved session
     * could not be read) is shown once the first run is done, so it is not lost behind the loading messages.
     */
    public void start(SessionState initial, String problem) {
        runner.showAfterRun(problem);
        forgetHistory();
        state.set(initial);
        openModel(initial.model());
    }

    /** Loads a model (bundled name or folder) and runs the current input on it; on failure the old model stays. */
    public void openModel(String name) {
        runner.openModel(name);
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
        rerun(s -> s.withText(text == null ? "" : text));
    }

    /** Sets the second input of compare mode ("" for none) and reruns. */
    public void setCompareText(String text) {
        rerun(s -> s.withCompareText(text == null ? "" : text));
    }

    /**
     * Sets the second model of compare mode (a bundled name or a folder, "" or null for none) and reruns: the same
     * input is analysed by both models, the second loaded in the background.
     */
    public void setCompareModel(String name) {
        rerun(s -> s.withCompareModel(name == null ? "" : name));
    }

    /** Sets the image input of a vision model and reruns. */
    public void setImage(Path file) {
        rerun(s -> s.withImage(file == null ? "" : file.toString()));
    }

    /** Applies new interventions and reruns (an undoable step). */
    public void setPlan(InterventionPlan plan) {
        remember(state.get().withPlan(plan));
        rerun(s -> s.withPlan(plan));
    }

    // ---- commands that only change what is shown ----

    /** Selects a head (−1 for none) of the shown results; redraws without running anything. */
    public void select(int layer, int head) {
        Results r = runner.resultsProperty().get();
        if (r != null && (layer < 0 || layer >= r.layers() || head < -1 || head >= r.heads())) {
            return;
        }
        updateSelection(s -> s.withHead(layer, head));
    }

    /** Changes the selection (a page's choice: cells, q/k head, bar measure, colour scale); saved, nothing reruns. */
    public void updateSelection(UnaryOperator<Selection> change) {
        Selection next = change.apply(state.get().selection());
        if (!next.equals(state.get().selection())) {
            remember(state.get().withSelection(next));
            change(state.get().withSelection(next));
        }
    }

    /** Switches the window's theme (kept in the session; nothing reruns). */
    public void setTheme(Theme theme) {
        if (theme != state.get().theme()) {
            change(state.get().withTheme(theme));
        }
    }

    /** Undoes the last change of interventions or selection (Ctrl+Z); a changed plan reruns. */
    public void undo() {
        restore(history.undo());
    }

    /** Redoes the last undone change (Ctrl+Y). */
    public void redo() {
        restore(history.redo());
    }

    /** Remembers which page is shown (restored with the session). */
    public void setPage(String title) {
        if (!title.equals(state.get().page())) {
            change(state.get().withPage(title));
            runner.computeCheapParts(); // the new page's cheap analyses go next
        }
    }

    /** Computes a part a page needs for the current results (after the running job, if any). */
    public void requestPart(SessionAnalysis.Part part) {
        runner.requestPart(part);
    }

    /** The estimated seconds {@code part} takes for the shown run (NaN before one): what its button says. */
    public double estimateSeconds(SessionAnalysis.Part part) {
        return runner.estimateSeconds(part);
    }

    /** Stops the running job and what is queued; the previous results stay. */
    public void cancel() {
        runner.cancel();
    }

    /** Writes the session's choices to {@code file} on the autosave's thread; the status line says when it is done. */
    public void saveSession(Path file) {
        SessionState s = state.get();
        Runnable write = () -> {
            try {
                SessionFile.write(s, file);
                Platform.runLater(() -> status.show("Session saved to " + file));
            } catch (HeadwiseException e) {
                Platform.runLater(() -> status.fail(e));
            }
        };
        if (autosave != null) {
            autosave.alsoWrite(write);
        } else {
            write.run();
        }
    }

    /** Opens a session file: its model, input, selection and interventions; a bad file changes nothing. */
    public void openSession(Path file) {
        SessionState restored;
        try {
            restored = SessionFile.read(file);
        } catch (HeadwiseException e) {
            status.fail(e);
            return;
        }
        start(restored, null);
    }

    /** Reports an error from the view (a bad drop, an export that failed) like an engine error. */
    public void report(Throwable error) {
        status.fail(error);
    }

    /** Reports a message from the view. */
    public void report(String message) {
        status.show(message);
    }

    /** Runs other background work (exports) through the same task bar after the running job: progress, cancel. */
    public <T> void background(String message, EngineTasks.Work<T> work, Consumer<T> onSuccess) {
        runner.background(message, work, onSuccess);
    }

    public void close() {
        runner.close();
        if (autosave != null) {
            autosave.close();
        }
    }

    // ---- start-up ----

    /**
     * Starts loading {@code initial}'s model and analysing it on a thread of its own, before the window exists
     * (HeadwiseApp.launchApp); {@link #adopt} hands it to the model that then starts on {@code initial}. Start-up
     * tracing wraps the run's phases.
     */
    public static StartupPreload<AnalysisRun.Outcome> preload(SessionState initial) {
        return new StartupPreload<>(initial, (loaded, s) -> SessionRunner.fitted(s, s.model(), loaded),
                (loaded, s) -> {
                    try {
                        return AnalysisRun.run(loaded, null, s, (message, done, total) -> { }, RunPhases.forStartup());
                    } catch (Exception e) {
                        throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                    }
                });
    }

    /** Uses {@code early}'s model and first run when {@link #start} asks for exactly them; call before start. */
    public void adopt(StartupPreload<AnalysisRun.Outcome> early) {
        runner.models().adopt(early);
    }

    // ---- internals ----

    private void remember(SessionState next) {
        history.record(EditHistory.Snapshot.of(state.get()), EditHistory.Snapshot.of(next));
        showHistory();
    }

    private void restore(EditHistory.Snapshot target) {
        showHistory();
        if (target == null) {
            return;
        }
        boolean planChanged = !target.plan().equals(state.get().plan());
        SessionState next = target.applyTo(state.get());
        if (planChanged) {
            rerun(s -> next);
        } else {
            change(next);
        }
    }

    private void forgetHistory() {
        history.clear();
        showHistory();
    }

    private void showHistory() {
        undoLabel.set(history.undoLabel());
        redoLabel.set(history.redoLabel());
    }

    private void rerun(UnaryOperator<SessionState> change) {
        change(change.apply(state.get()));
        runner.run();
    }

    private void change(SessionState next) {
        if (!next.model().equals(state.get().model())) {
            forgetHistory(); // the steps name heads of the other model
        }
        state.set(next);
        if (autosave != null) {
            autosave.save(next);
        }
    }

    /** The session the pages draw: the results through the selection, moved inside the results' shape. */
    private void pairSession() {
        Results r = runner.resultsProperty().get();
        if (r == null) {
            return;
        }
        Selection selection = state.get().selection().fittedTo(r.layers(), r.heads());
        Session now = session.get();
        if (now == null || now.results() != r || !now.selection().equals(selection)) {
            session.set(new Session(r, selection));
        }
    }

    /** Shown in lists: the last part of a folder path, or a bundled model's name. */
    public static String shortName(String model) {
        Path p = Path.of(model);
        return p.getFileName() == null ? model : p.getFileName().toString();
    }
}
