package headwise.app.ui.model;

import headwise.app.export.SessionAnalysis;
import headwise.app.session.InterventionPlan;
import headwise.app.session.Prediction;
import headwise.app.session.Results;
import headwise.app.session.SessionState;
import headwise.engine.analysis.relevance.Faithfulness;
import headwise.engine.analysis.relevance.RelevanceMap;
import headwise.engine.load.BundledModels;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Turns the session state into results: loads its model ({@link ModelLifecycle}), runs its input and then the parts
 * pages ask for ({@link RunScheduler}, one {@link EngineTasks} job at a time, a new input cancelling the old one's),
 * and publishes what arrives. A failed job leaves the previous results in place and says why in the status line.
 * FX thread only.
 */
public final class SessionRunner {

    private final ReadOnlyObjectWrapper<Results> results = new ReadOnlyObjectWrapper<>(this, "results");
    private final ReadOnlyObjectWrapper<Prediction> prediction = new ReadOnlyObjectWrapper<>(this, "prediction");
    private final ReadOnlyObjectWrapper<Prediction> originalPrediction = new ReadOnlyObjectWrapper<>(this, "originalPrediction");
    private final ReadOnlyObjectWrapper<ModelSpec> spec = new ReadOnlyObjectWrapper<>(this, "spec");
    private final EngineTasks tasks = new EngineTasks();
    /** Small jobs a page asks for (the q/k projection): never cancel the run, never shown as busy. */
    private final EngineTasks sideTasks = new EngineTasks();
    private final RunScheduler scheduler = new RunScheduler(tasks, this::failed);
    private final ModelLifecycle models = new ModelLifecycle();
    private final PartJobs parts = new PartJobs();
    private final AutoParts auto = new AutoParts();
    private final StatusLine status;
    private final Supplier<SessionState> state;
    private final Consumer<SessionState> change;
    private final Consumer<String> opened;
    /** The run shown last: a change of interventions alone reuses its unchanged forward. */
    private AnalysisRun.Outcome lastRun;
    /** Shown after the first run instead of its summary, then forgotten. */
    private String startupProblem;

    /**
     * @param state  the session state now
     * @param change sets (and saves) a new session state: the loaded model's name, its fitted interventions
     * @param opened told the name of each model opened (the recent-models list)
     */
    SessionRunner(StatusLine status, Supplier<SessionState> state, Consumer<SessionState> change, Consumer<String> opened) {
        this.status = status;
        this.state = state;
        this.change = change;
        this.opened = opened;
    }

    /** The latest results, or null before the first successful run. */
    public ReadOnlyObjectProperty<Results> resultsProperty() {
        return results.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Prediction> predictionProperty() {
        return prediction.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Prediction> originalPredictionProperty() {
        return originalPrediction.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ModelSpec> specProperty() {
        return spec.getReadOnlyProperty();
    }

    /** The job bar's busy flag, progress and message. */
    public EngineTasks tasks() {
        return tasks;
    }

    public ModelLifecycle models() {
        return models;
    }

    /** The state the shown run was computed for (its text and image), or null before the first. */
    public SessionState shownRunState() {
        return lastRun == null ? null : lastRun.from();
    }

    /** The layer the shown intervened run was recomputed from (the layers below kept), or −1. */
    public int recomputedFrom() {
        return lastRun == null ? -1 : lastRun.recomputedFrom();
    }

    /** {@code problem} is shown once the next run is done, so it is not lost behind the loading messages. */
    void showAfterRun(String problem) {
        startupProblem = problem;
    }

    /** Loads a model (bundled name or folder) and runs the state on it; on failure the old model stays. */
    public void openModel(String name) {
        if (name == null || name.isBlank()) {
            return;
        }
        scheduler.newInput(new RunScheduler.Job<LoadedModel>("Loading " + name + "\u2026", p -> models.load(name), loaded -> {
            models.install(loaded);
            lastRun = null; // holds the old model's run
            spec.set(loaded.spec());
            opened.accept(name);
            change.accept(fitted(state.get(), name, loaded));
            run();
        }, LoadedModel::close));
    }

    /** Runs the current state on the current model, replacing whatever runs for an older input. */
    public void run() {
        ModelLifecycle.Handle model = models.current();
        SessionState s = state.get();
        if (model == null) {
            openModel(s.model());
            return;
        }
        parts.clear();
        auto.stop();
        StartupPreload<AnalysisRun.Outcome> early = models.takePreload();
        // the early run knows no compare model
        boolean ranEarly = early != null && !s.hasCompareModel() && early.ran(model.model(), s);
        AnalysisRun.Outcome previous = lastRun;
        scheduler.newInput(new RunScheduler.Job<>("Analysing\u2026", p -> {
            if (ranEarly) {
                return early.run();
            }
            if (!s.hasCompareModel()) {
                models.dropCompare(); // compare mode without a second model: it is closed
            }
            try (ModelLifecycle.Lease lease = model.lease()) {
                return AnalysisRun.run(lease.model(), models::compare, s, p, RunPhases.forStartup(), previous);
            }
        }, this::showRun));
    }

    /** Computes a part a page needs for the current results (after the running job, if any). */
    public void requestPart(SessionAnalysis.Part part) {
        requestPart(part, true);
    }

    /** {@code announce}: say in the status line when it is done (not for the parts computed on their own). */
    private void requestPart(SessionAnalysis.Part part, boolean announce) {
        Results r = results.get();
        ModelLifecycle.Handle model = models.current();
        if (r == null || model == null) {
            return;
        }
        RunScheduler.Job<PartJobs.Done> job = parts.job(part, r, state.get().selection(), model, done -> {
            Results now = results.get();
            if (now != null && now.result() == done.results().result()) {
                auto.measured(part, done.seconds());
                results.set(now.withPartsOf(done.results()));
                if (!done.notes().isEmpty()) { // a measure left out is said even for parts computed unasked
                    status.show(String.join("; ", done.notes()));
                } else if (announce) {
                    status.show("Computed " + PartJobs.describe(part, PartJobs.ablationWanted(state.get().selection()))
                            + String.format(Locale.ROOT, " in %.1f s", done.seconds()));
                }
                computeCheapParts();
            }
        });
        if (job != null) {
            scheduler.follow(job);
        }
    }

    /** Relevance maps a page computed for the shown run join its results (the Importance page reads their heads). */
    public void addRelevance(AnalysisResult run, List<RelevanceMap> maps) {
        Results now = results.get();
        if (now != null && now.result() == run) {
            results.set(now.withRelevance(maps));
        }
    }

    /** Faithfulness curves a page computed for the shown run's maps join its results (exports draw them). */
    public void addFaithfulness(AnalysisResult run, List<RelevanceMap> of, List<Faithfulness> curves) {
        Results now = results.get();
        if (now != null && now.result() == run && now.relevance() != null && now.relevance().equals(of)) {
            results.set(now.withFaithfulness(curves));
        }
    }

    /**
     * Starts the next analysis cheap enough to need no asking (under {@link headwise.app.export.PartCosts#cheapSeconds}
     * by its estimate), those of the page shown first; one at a time, so a page switched to meanwhile goes next.
     */
    public void computeCheapParts() {
        ModelLifecycle.Handle model = models.current();
        Results r = results.get();
        if (model != null && r != null && auto.needsRetime(model)) {
            retimeForward(model, r);
            return;
        }
        SessionState s = state.get();
        SessionAnalysis.Part next = auto.next(s.page(), results.get(), PartJobs.ablationWanted(s.selection()));
        if (next != null) {
            requestPart(next, false);
        }
    }

    /** Times the run's forward again (the first one of a model also warmed it up), then goes on with the parts. */
    private void retimeForward(ModelLifecycle.Handle model, Results r) {
        scheduler.follow(new RunScheduler.Job<Double>("Timing the forward\u2026", p -> {
            try (ModelLifecycle.Lease lease = model.lease()) {
                long start = System.nanoTime();
                Analyzer.analyze(lease.model(), r.result().input());
                return (System.nanoTime() - start) / 1e9;
            }
        }, seconds -> {
            Results now = results.get();
            if (now != null && now.result() == r.result()) { // else the run is gone, and a newer one decides
                auto.retimed(model, seconds);
                computeCheapParts();
            }
        }));
    }

    /** The estimated seconds {@code part} takes for the shown run, NaN when there is none. */
    public double estimateSeconds(SessionAnalysis.Part part) {
        return auto.seconds(part);
    }

    /** Stops the running job and what is queued; the previous results stay. */
    public void cancel() {
        parts.clear();
        auto.stop();
        if (scheduler.cancel()) {
            status.show(results.get() == null ? "Cancelled" : "Cancelled; showing the previous results");
        }
    }

    /** Runs other background work (exports) through the same task bar after the running job: progress, cancel. */
    public <T> void background(String message, EngineTasks.Work<T> work, Consumer<T> onSuccess) {
        scheduler.follow(new RunScheduler.Job<>(message, work, onSuccess));
    }

    /**
     * A page's own small job on the current model, holding the model open while it runs; a newer side job replaces an
     * older one. {@code onProblem} gets a one-line reason.
     */
    public <T> void sideJob(String message, ModelWork<T> work, Consumer<T> onDone, Consumer<String> onProblem) {
        ModelLifecycle.Handle model = models.current();
        if (model == null) {
            return;
        }
        sideTasks.submit(message, p -> {
            try (ModelLifecycle.Lease lease = model.lease()) {
                return work.call(lease.model());
            }
        }, onDone, error -> onProblem.accept(StatusLine.describe(error)));
    }

    /** Work on a model, for {@link #sideJob}. */
    @FunctionalInterface
    public interface ModelWork<T> {
        T call(LoadedModel model) throws Exception;
    }

    void close() {
        sideTasks.close();
        tasks.close();
        models.close();
    }

    /** The state run on a newly loaded model: its name, the interventions fitted to its shape. */
    static SessionState fitted(SessionState s, String name, LoadedModel loaded) {
        return s.withModel(name).withPlan(s.plan().fittedTo(loaded.spec().layers(), loaded.spec().heads()));
    }

    private void showRun(AnalysisRun.Outcome done) {
        lastRun = done;
        prediction.set(done.prediction());
        originalPrediction.set(done.original());
        auto.newRun(models.current(), done.results().result().spec(), done.results().result().input().length(), done.forwardSeconds());
        results.set(done.results());
        if (state.get().selection().relevance().computed()) {
            requestPart(SessionAnalysis.Part.RELEVANCE, false); // the Relevance page's maps are part of a restored session
        }
        AnalysisResult r = done.results().result();
        AnalysisResult b = done.results().comparison();
        String versus = done.from().plan().isEmpty() && done.from().hasCompareModel() && b != null
                ? " \u00b7 compared with " + b.modelName() : "";
        status.show(String.format(Locale.ROOT, "%s \u00b7 %d tokens \u00b7 %d layers \u00d7 %d heads \u00b7 %s%s \u00b7 %d ms", r.modelName(),
                r.input().length(), r.spec().layers(), r.spec().heads(), done.from().plan().describe(), versus, done.millis()));
        if (startupProblem != null) {
            status.fail(startupProblem);
            startupProblem = null;
        }
        computeCheapParts();
    }

    private void failed(Throwable error) {
        parts.clear();
        auto.stop();
        if (models.current() == null && !(error instanceof CancellationException) && !state.get().model().equals(BundledModels.MINILM)) {
            // nothing on screen yet (a restored session whose model is gone): say why, and start on the bundled model
            startupProblem = StatusLine.describe(error) + "; opened " + BundledModels.MINILM + " instead";
            change.accept(state.get().withModel(BundledModels.MINILM).withPlan(InterventionPlan.none()));
            openModel(BundledModels.MINILM);
            return;
        }
        status.fail(error);
    }
}
