package headwise.app.ui.model;

import headwise.app.io.ImageFiles;
import headwise.app.session.Prediction;
import headwise.app.session.Results;
import headwise.app.session.SessionState;
import headwise.app.ui.page.SessionSinks;
import headwise.engine.HeadwiseException;
import headwise.engine.analysis.intervene.ResumableRun;
import headwise.engine.hooks.Hooks;
import headwise.engine.image.ImagePreprocessor;
import headwise.engine.image.PreprocessorConfig;
import headwise.engine.load.LoadedModel;
import headwise.engine.model.ModelSpec;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.Analyzer;
import headwise.engine.run.ModelInput;
import headwise.viz.view.ModelThumbnails;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * One run of a session state (on an engine thread): input, original run, intervened run, comparison, and what every
 * view of it needs (model-view tiles, sink scores), so that drawing on the FX thread only composes.
 */
public final class AnalysisRun {

    /**
     * What one run computes; {@code forwardSeconds}: its first forward alone, what the cost of the other analyses is
     * estimated from ({@code headwise.app.export.PartCosts}); {@code recomputedFrom}: the layer the intervened run
     * started from, the layers below being the unchanged run's (−1 without interventions).
     */
    public record Outcome(SessionState from, Results results, Prediction prediction, Prediction original, long millis,
                          double forwardSeconds, ResumableRun base, int recomputedFrom) {

        /**
         * This run's unchanged forward, when {@code s} runs the same input on the same model with other interventions:
         * an intervention then recomputes only the layers it changes (and removing them all, none). Null otherwise.
         */
        ResumableRun baseFor(LoadedModel model, SessionState s) {
            boolean planChanged = !from.plan().equals(s.plan()); // else a rerun asked for: it runs again
            return planChanged && base != null && base.model() == model && from.text().equals(s.text())
                    && from.image().equals(s.image()) ? base : null;
        }
    }

    private AnalysisRun() {
    }

    /**
     * The run for {@code s}. What B of compare mode is, by precedence: the run without the interventions when there
     * are any; else the same input through the compare model when one is set ({@code compareModel} leases it; null:
     * no compare model); else the compare text.
     */
    public static Outcome run(LoadedModel model, Function<String, ModelLifecycle.Lease> compareModel, SessionState s,
                              EngineTasks.Progress progress, RunPhases phases) throws Exception {
        return run(model, compareModel, s, progress, phases, null);
    }

    /** As above; {@code previous}: the run shown before, whose unchanged forward is reused when it fits (or null). */
    public static Outcome run(LoadedModel model, Function<String, ModelLifecycle.Lease> compareModel, SessionState s,
                              EngineTasks.Progress progress, RunPhases phases, Outcome previous) throws Exception {
        long start = System.nanoTime();
        boolean intervene = !s.plan().isEmpty();
        boolean compareWithModel = !intervene && compareModel != null && s.hasCompareModel();
        boolean compare = !intervene && !compareWithModel && !s.compareText().isBlank() && model.spec().vision() == null;
        int steps = 1 + (intervene ? 1 : 0) + (compare || compareWithModel ? 1 : 0);
        progress.step("Analysing " + describeInput(s) + "\u2026", 0, steps);
        ResumableRun reused = previous == null ? null : previous.baseFor(model, s);
        ResumableRun base;
        double forwardSeconds;
        if (reused != null) {
            base = reused;
            forwardSeconds = previous.forwardSeconds();
        } else {
            ModelInput input = phases.phase("tokenizer + input", () -> input(model, s, s.text()));
            long forwardStart = System.nanoTime();
            base = phases.phase("first forward", () -> ResumableRun.analyze(model, input));
            forwardSeconds = (System.nanoTime() - forwardStart) / 1e9;
        }
        AnalysisResult original = base.original();
        AnalysisResult result = original;
        AnalysisResult comparison = null;
        int done = 1;
        int recomputedFrom = -1;
        if (intervene) {
            progress.step("Applying " + s.plan().describe() + "\u2026", done++, steps);
            Hooks hooks = s.plan().hooks(original);
            recomputedFrom = Math.max(0, base.startLayer(hooks));
            result = base.rerun(hooks); // only the layers the plan changes
            comparison = original;
        }
        if (compare) {
            progress.step("Analysing the comparison input\u2026", done, steps);
            comparison = Analyzer.analyze(model, input(model, s, s.compareText()));
        }
        if (compareWithModel) {
            progress.step("Loading " + AppModel.shortName(s.compareModel()) + " to compare with\u2026", done, steps);
            try (ModelLifecycle.Lease other = compareModel.apply(s.compareModel())) {
                progress.step("Analysing " + describeInput(s) + " with " + other.model().name() + "\u2026", done, steps);
                comparison = Analyzer.analyze(other.model(), input(other.model(), s, s.text()));
            }
        }
        AnalysisResult shown = result;
        // the model view's tiles and the sink scores read every head: built here, once per run, not when drawn
        ModelThumbnails tiles = phases.phase("thumbnail tiles", () -> ModelThumbnails.of(shown.attention()));
        double[][][] sinks = phases.phase("sink scores", () -> SessionSinks.compute(shown));
        Results results = Results.of(result).withComparison(comparison).withViewData(tiles, sinks);
        Prediction p = phases.phase("prediction", () -> Prediction.of(model, shown));
        Prediction o = intervene ? Prediction.of(model, original) : null;
        return new Outcome(s, results, p, o, (System.nanoTime() - start) / 1_000_000, forwardSeconds, base, recomputedFrom);
    }

    private static String describeInput(SessionState s) {
        return s.hasImage() ? Path.of(s.image()).getFileName().toString() : "the text";
    }

    /** The model input for {@code text} (or the image, for vision models). */
    static ModelInput input(LoadedModel model, SessionState s, String text) {
        if (model.visionLanguage() != null) {
            return VisionLanguageRun.input(model, s, text);
        }
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
}
